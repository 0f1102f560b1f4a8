/** The one table of problem codes: every rejection and HTTP error maps through it. */
export const PROBLEMS = {
  validation_failed: { status: 400, title: 'Validation failed' },
  unauthenticated: { status: 401, title: 'Unauthenticated' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  invalid_transition: { status: 409, title: 'Invalid transition' },
  version_conflict: { status: 409, title: 'Version conflict' },
  claimed_by_other: { status: 409, title: 'Claimed by another verifier' },
  duplicate_decision: { status: 409, title: 'Duplicate decision number' },
  name_taken: { status: 409, title: 'Name already taken' },
  guard_failed: { status: 422, title: 'Guard failed' },
  idempotency_mismatch: { status: 422, title: 'Idempotency key reused with a different body' },
  request_timeout: { status: 408, title: 'Request timeout' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  erased: { status: 410, title: 'Erased' },
  range_not_satisfiable: { status: 416, title: 'Range not satisfiable' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Rate limited' },
  headers_too_large: { status: 431, title: 'Request headers too large' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** A field a rejection concerns, named by its path in the request body (`compliance.finePaid`). */
export type FieldProblem = { path: string; message: string };

/** Why the domain refused a command; the code decides the HTTP status. */
export type Rejection = { code: ProblemCode; detail: string; errors?: FieldProblem[] };

export function reject(code: ProblemCode, detail: string, errors?: readonly FieldProblem[]): Rejection {
  return errors === undefined || errors.length === 0 ? { code, detail } : { code, detail, errors: [...errors] };
}
