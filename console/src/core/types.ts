// The console speaks the API's own representations: their types come from the zod schemas
// that serialize them (type-only imports: nothing of the server is bundled).
import type { Role } from '../../../src/domain/stages.ts';

export type {
  AcceptedRepresentation as Accepted,
  CaseRepresentation as Case,
  CommandRepresentation as Command,
  EventRepresentation as CaseEvent,
  FileRepresentation as CaseFile,
} from '../../../src/api/schemas/case.schemas.ts';
export type { Problem } from '../../../src/api/schemas/common.schemas.ts';

export type Me = { id: string; name: string; roles: Role[]; tokenId?: string };
export type {
  TokenRepresentation as Token,
  UserRepresentation as User,
} from '../../../src/api/schemas/user.schemas.ts';
export type { WorkloadRepresentation as Workload } from '../../../src/api/schemas/workload.schemas.ts';
export type Page<T> = { items: T[]; nextCursor: string | null };
