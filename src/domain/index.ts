export { canSeeCase, linkedCaseIdOf, linkedCaseIds, visibleLinks, withheldLinks } from './access.ts';
export type { VisibleLinks } from './access.ts';
export type { CaseState } from './case-state.ts';
export { COMMAND_TYPES, COMMANDS, QUEUE_NAMES, isAllowedFrom, mayRun, parseRequest } from './commands.ts';
export type { Command, CommandPayloads, CommandType, QueueName } from './commands.ts';
export { DEFAULT_CLOCK_SKEW_MS, businessDateProblems, describeDateProblems } from './dates.ts';
export { DEFAULT_TIME_ZONE, periodProblems } from './period.ts';
export { decide } from './decide.ts';
export type { Decision, DecisionContext } from './decision.ts';
export { EVENT_TYPES, PERSONAL_FIELDS } from './events.ts';
export type { Actor, EventType, PersonalField, StoredEvent } from './events.ts';
export { evolve, fold, foldAsOf } from './evolve.ts';
export { decisionNoKey, userNameKey } from './identifiers.ts';
export { contentHash, fingerprint, intakeKeys, normalizeContent, normalizeUrl, sha256Hex } from './fingerprint.ts';
export {
  FILE_KINDS,
  MEDIA_TYPES,
  MEDIA_TYPE_NAMES,
  attachFileSchema,
  inertFileName,
  mayAttachFile,
  uploadFieldsSchema,
} from './files.ts';
export type { AttachFilePayload, AttachedFile, FileKind, MediaType, UploadFields } from './files.ts';
export {
  GENESIS_HASH,
  canonicalJson,
  chainEvents,
  createChainVerifier,
  eventEnvelope,
  hashEvent,
  headOf,
  personalDigest,
  verifyChain,
} from './hashing.ts';
export type { ChainHead, ChainVerdict, EventEnvelope } from './hashing.ts';
export { PERSONAL_PAYLOAD_PATHS, erasureSchema, itemPersonalData, subjectPersonalData } from './personal-data.ts';
export { PROBLEMS } from './problems.ts';
export type { FieldProblem, ProblemCode, Rejection } from './problems.ts';
export * from './schemas.ts';
export * from './stages.ts';
export { SYSTEM_ACTOR, decideErasure, decideSlaBreach } from './system-events.ts';
export { STAGE_ENTERING_EVENTS, slaTimerOf } from './sla.ts';
export type { SlaTimer } from './sla.ts';
export type { StageVisit } from './system-events.ts';
export { LIMITS, hasVisibleCharacter, identifierField, isHttpUrl, isSafeText } from './text.ts';
export { auditFailure, describeFailure, failureLocation } from './audit-report.ts';
export type { AuditFailure } from './audit-report.ts';
export { bundlePublicKeySchema, bundleSchema, signedCheckpointSchema } from './bundle-schema.ts';
export type { Bundle, BundlePublicKey } from './bundle-schema.ts';
export { buildBundle, bundlePublicKey, differingFields, verifyBundle } from './bundle.ts';
export { ARCHIVE_BUNDLE_NAME, ARCHIVE_FILES_DIR, checkBundleFiles } from './bundle-files.ts';
export type { FileCheck } from './bundle-files.ts';
export type { BundleReport, CoveringCheckpoint } from './bundle.ts';
export {
  CHECKPOINT_FORMAT,
  checkpointBytes,
  createCheckpointChainVerifier,
  createRangeDigest,
  hashCheckpoint,
  headsHash,
  publicKeyId,
  rawPublicKey,
  signCheckpoint,
} from './checkpoint.ts';
export type { CaseHead, SealedLeaf, SignedCheckpoint } from './checkpoint.ts';
export { createRootBuilder, eventLeaf, inclusionProofs, leafHash, merkleRoot, verifyInclusion } from './merkle.ts';
