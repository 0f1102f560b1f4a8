export { canSeeCase } from './access.ts';
export { hasLiveClaim, isAppealPending } from './case-state.ts';
export type {
  AppealState,
  CaseState,
  ItemState,
  PenaltyState,
  ReferralState,
  VerdictState,
} from './case-state.ts';
export {
  COMMAND_TYPES,
  COMMANDS,
  NO_CASE,
  QUEUE_NAMES,
  isAllowedFrom,
  isCommandType,
  mayRun,
  parseRequest,
} from './commands.ts';
export type {
  Command,
  CommandOf,
  CommandPayloads,
  CommandRequests,
  CommandSpec,
  CommandType,
  ParsedRequest,
  QueueName,
} from './commands.ts';
export { decide } from './decide.ts';
export { deadlineAfter } from './decision.ts';
export type { Decision, DecisionContext } from './decision.ts';
export { EVENT_TYPES, PERSONAL_FIELDS, draft } from './events.ts';
export type {
  Actor,
  ClosedPayload,
  EventDraft,
  EventDraftOf,
  EventPayloads,
  EventType,
  PersonalField,
  StoredEvent,
  StoredEventOf,
} from './events.ts';
export { evolve, fold, foldAsOf } from './evolve.ts';
export {
  TRACKING_PARAMS,
  TRACKING_PREFIXES,
  contentHash,
  fingerprint,
  isTrackingParam,
  normalizeContent,
  normalizeUrl,
  sha256Hex,
} from './fingerprint.ts';
export {
  FILE_KINDS,
  FILE_NAME_MAX,
  MEDIA_TYPES,
  MEDIA_TYPE_NAMES,
  attachFileSchema,
  inertFileName,
  isMediaType,
  mayAttachFile,
  uploadFieldsSchema,
} from './files.ts';
export type { AttachFilePayload, AttachedFile, FileKind, MediaType, UploadFields } from './files.ts';
export { GUARDS, checkGuards } from './guards.ts';
export type { Guard, GuardInput } from './guards.ts';
export {
  EMPTY_HEAD,
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
export type { ChainHead, ChainOptions, ChainVerdict, EventEnvelope, HashedEvent } from './hashing.ts';
export { itemState } from './intake.ts';
export { PERSONAL_PAYLOAD_PATHS, erasureSchema, itemPersonalData, subjectPersonalData } from './personal-data.ts';
export type { ItemPersonalData, SubjectPersonalData } from './personal-data.ts';
export {
  DEFAULT_PRIORITY,
  MERGE_PRIORITY_THRESHOLDS,
  maxPriority,
  priorityAfterMerges,
  priorityRank,
} from './priority.ts';
export { PROBLEMS, PROBLEM_CODES, reject } from './problems.ts';
export type { ProblemCode, Rejection } from './problems.ts';
export * from './schemas.ts';
export * from './stages.ts';
export { SYSTEM_ACTOR, decideErasure, decideSlaBreach } from './system-events.ts';
export { STAGE_ENTERING_EVENTS, slaTimerOf } from './sla.ts';
export type { SlaTimer } from './sla.ts';
export type { StageVisit } from './system-events.ts';
export { LIMITS, isHttpUrl, isSafeText } from './text.ts';
export { auditFailure, describeFailure, failureLocation } from './audit-report.ts';
export type { AuditFailure } from './audit-report.ts';
export {
  BUNDLE_FORMAT,
  bundlePublicKeySchema,
  bundleSchema,
  inclusionProofSchema,
  signedCheckpointSchema,
} from './bundle-schema.ts';
export type { Bundle, BundleEvent, BundlePublicKey, InclusionProof } from './bundle-schema.ts';
export { buildBundle, bundlePublicKey, differingFields, verifyBundle } from './bundle.ts';
export { ARCHIVE_BUNDLE_NAME, ARCHIVE_FILES_DIR, checkBundleFiles } from './bundle-files.ts';
export type { FileCheck } from './bundle-files.ts';
export type { BundleReport, CoveringCheckpoint } from './bundle.ts';
export {
  CHECKPOINT_FORMAT,
  checkSignature,
  checkpointBytes,
  checkpointEnvelope,
  createCheckpointChainVerifier,
  createRangeDigest,
  hashCheckpoint,
  headsHash,
  publicKeyId,
  rawPublicKey,
  signCheckpoint,
  sortHeads,
} from './checkpoint.ts';
export type { CaseHead, CheckpointEnvelope, CheckpointVerdict, SealedLeaf, SignedCheckpoint } from './checkpoint.ts';
export {
  createRootBuilder,
  eventLeaf,
  inclusionProofs,
  leafHash,
  merkleRoot,
  nodeHash,
  verifyInclusion,
} from './merkle.ts';
