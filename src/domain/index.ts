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
export {
  contentHash,
  fingerprint,
  intakeDigests,
  intakeKeys,
  keyedContentHash,
  keyedFingerprint,
  normalizeContent,
  normalizeUrl,
  sha256Hex,
} from './fingerprint.ts';
export {
  personalRefsIn,
  personalValueDigest,
  protectDrafts,
  revealValues,
} from './personal-values.ts';
export type { PersonalValue, Protector } from './personal-values.ts';
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
export { STAGE_ENDING_EVENTS, STAGE_ENTERED_BY, slaTimerOf } from './sla.ts';
export type { SlaTimer } from './sla.ts';
export type { StageVisit } from './system-events.ts';
export { LIMITS, hasVisibleCharacter, identifierField, isHttpUrl, isSafeText } from './text.ts';
export { auditFailure, describeFailure, failureLocation } from './audit-report.ts';
export type { AuditFailure } from './audit-report.ts';
export { bundlePublicKeySchema, signedCheckpointSchema, signedTreeHeadSchema } from './bundle-schema.ts';
export type { Bundle, BundlePublicKey } from './bundle-schema.ts';
export { buildBundle, bundleEvent, bundlePublicKey, verifyBundle } from './bundle.ts';
export { differingFields } from './bundle-history.ts';
export { ARCHIVE_BUNDLE_NAME, ARCHIVE_FILES_DIR, checkBundleFiles } from './bundle-files.ts';
export type { FileCheck } from './bundle-files.ts';
export type { BundleReport } from './bundle-history.ts';
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
export {
  createEventRootBuilder,
  createRootBuilder,
  eventLeaf,
  inclusionProofs,
  leafHash,
  merkleRoot,
  verifyInclusion,
} from './merkle.ts';
export {
  consistencyProof,
  getterOf,
  inclusionPath,
  nodeKey,
  nodesAfterSettingLeaves,
  nodesRead,
  rootOf,
  verifyConsistency,
} from './merkle-log.ts';
export type { NodeGetter } from './merkle-log.ts';
export {
  TREE_HEAD_FORMAT,
  caseHeadLeaf,
  checkSuccession,
  signTreeHead,
  signedTreeHeadBytes,
  treeHeadProblem,
} from './tree-head.ts';
export type { SignedTreeHead } from './tree-head.ts';
export { BUNDLE_V2_FORMAT, buildBundleV2, bundleV2Schema } from './bundle-v2.ts';
export type { BundleV2 } from './bundle-v2.ts';
export {
  describeKey,
  introduceKey,
  keyObjectOf,
  keySetSchema,
  resolveKeys,
} from './signing-keys.ts';
export type { PublishedKey } from './signing-keys.ts';
export { parseStrictJson } from './strict-json.ts';
export { COMMAND_LINE_ACTOR, USER_EVENT_TYPES, chainUserEvents, userChanges } from './user-trail.ts';
export type { UserEvent, UserEventDraft } from './user-trail.ts';
export { AGE_BANDS } from './workload.ts';
export type { AgeBand } from './workload.ts';
export { csvCell, csvLine } from './csv.ts';
export { IMPORT_COLUMNS, parseImportRow, type ImportColumn, type ImportedCase, type RowProblem } from './import-row.ts';
export { importCaseId, importDrafts, importRowDigest } from './import-case.ts';
export { businessTime } from './events.ts';
