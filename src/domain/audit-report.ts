// What a verification found broken. The trail verifier and the bundle verifier report in
// the same terms so that the command line prints both alike (docs/audit-format.md).

export type AuditFailure = {
  /** The case whose history is broken; null when the break is not in one case's events. */
  caseId: string | null;
  /** The first seq of that case that does not hold. */
  seq: number | null;
  /** The checkpoint involved, by its seq. */
  checkpoint: number | null;
  reason: string;
};

export function auditFailure(
  at: { caseId?: string | null; seq?: number | null; checkpoint?: number | null },
  reason: string,
): AuditFailure {
  return { caseId: at.caseId ?? null, seq: at.seq ?? null, checkpoint: at.checkpoint ?? null, reason };
}

/** Where the break is: "case <id> seq <n> (checkpoint <k>)", "checkpoint <k>", or "" when nowhere in particular. */
export function failureLocation(f: AuditFailure): string {
  const parts = [f.caseId === null ? null : `case ${f.caseId}`, f.seq === null ? null : `seq ${f.seq}`].filter(
    (p) => p !== null,
  );
  if (f.checkpoint !== null)
    parts.push(parts.length === 0 ? `checkpoint ${f.checkpoint}` : `(checkpoint ${f.checkpoint})`);
  return parts.join(' ');
}

/** One line: "<what> BROKEN at <location>: <reason>", or "<what> BROKEN: <reason>". */
export function describeFailure(what: string, f: AuditFailure): string {
  const location = failureLocation(f);
  return location === '' ? `${what} BROKEN: ${f.reason}` : `${what} BROKEN at ${location}: ${f.reason}`;
}
