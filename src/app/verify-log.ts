import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import {
  GENESIS_HASH,
  auditFailure,
  caseHeadLeaf,
  createEventRootBuilder,
  hashEvent,
  inclusionPath,
  publicKeyId,
  signedTreeHeadSchema,
  treeHeadProblem,
  verifyInclusion,
  type AuditFailure,
  type SignedTreeHead,
} from '../domain/index.ts';
import { caseHeadsOf, eventHashesAt, logEventsBetween, treeHeadsAfter } from '../infra/db/merkle-log.repository.ts';
import { inTransaction } from '../infra/db/transaction.ts';
import { readTree } from './merkle-log.ts';
import { trustedKeysOf } from './signing-keys.ts';

// Verification of the Merkle log from a verified head on (`audit verify --since STATE`,
// docs/audit-format.md): the new heads' signatures, each new event's hash and its link to
// its case's chain, the log's root at every new head recomputed from the kept frontier, and
// the heads proof of every case that moved. Its cost follows the new events, not the trail.

export const verifiedStateSchema = z.strictObject({
  format: z.literal('casetrail-verified-log/1'),
  treeHead: signedTreeHeadSchema,
  /** The perfect subtrees of the log at treeHead.treeSize, largest first (hex). */
  frontier: z.array(z.string().regex(/^[0-9a-f]{64}$/u)),
});
export type VerifiedState = z.output<typeof verifiedStateSchema>;

export type LogReport = {
  ok: boolean;
  fromSize: number;
  toSize: number;
  events: number;
  treeHeads: number;
  casesMoved: number;
  keyId: string;
  failures: AuditFailure[];
};

const PAGE = 2_000;
const MAX_FAILURES = 20;

export async function verifyLogSince(
  deps: { pool: pg.Pool; publicKey: KeyObject },
  state: VerifiedState | null,
): Promise<{ report: LogReport; state: VerifiedState | null }> {
  const keys = await trustedKeysOf(deps.pool, deps.publicKey);
  const from = state?.treeHead.treeSize ?? 0;
  const report: LogReport = {
    ok: true,
    fromSize: from,
    toSize: from,
    events: 0,
    treeHeads: 0,
    casesMoved: 0,
    keyId: publicKeyId(deps.publicKey),
    failures: [],
  };
  const fail = (failure: AuditFailure) => {
    if (report.failures.length < MAX_FAILURES) report.failures.push(failure);
  };
  if (typeof keys === 'string') fail(auditFailure({}, `the recorded signing keys do not hold: ${keys}`));
  const trusted = typeof keys === 'string' ? new Map([[report.keyId, deps.publicKey]]) : keys;
  if (state !== null) {
    const problem = treeHeadProblem(state.treeHead, trusted);
    if (problem !== null) fail(auditFailure({}, `the kept head: ${problem}`));
  }

  // One snapshot: the heads, the log and the heads tree as the newest head signed them.
  const next = await inTransaction(
    deps.pool,
    async (client) => {
      const heads = (await treeHeadsAfter(client, from)).map((h) => h.head);
      for (const head of heads) {
        const problem = treeHeadProblem(head, trusted);
        if (problem !== null) fail(auditFailure({}, problem));
      }
      const newest = heads.at(-1);
      if (newest === undefined) return state;
      report.treeHeads = heads.length;
      report.toSize = newest.treeSize;
      const builder = createEventRootBuilder(state === null ? undefined : { size: from, frontier: state.frontier });
      const last = new Map<string, { seq: number; hash: string }>();
      let pending = heads.slice();
      for (let at = from; at < newest.treeSize; ) {
        const page = await logEventsBetween(client, { from: at, to: newest.treeSize, limit: PAGE });
        if (page.length === 0) {
          fail(auditFailure({}, `the log ends at leaf ${at}; the head of size ${newest.treeSize} signed more`));
          break;
        }
        const before = await eventHashesAt(
          client,
          page.filter((e) => e.seq > 1 && !last.has(e.caseId)).map((e) => ({ caseId: e.caseId, seq: e.seq - 1 })),
        );
        for (const event of page) {
          if (event.index !== at) {
            fail(auditFailure({ caseId: event.caseId, seq: event.seq }, `leaf ${at} of the log is missing`));
            return null;
          }
          const previous =
            last.get(event.caseId)?.hash ??
            (event.seq === 1 ? GENESIS_HASH : before.get(`${event.caseId}:${event.seq - 1}`));
          const where = { caseId: event.caseId, seq: event.seq };
          if (hashEvent(event) !== event.hash) fail(auditFailure(where, 'hash does not match the event'));
          else if (event.prevHash !== previous)
            fail(auditFailure(where, 'prevHash is not the hash of the previous event'));
          last.set(event.caseId, { seq: event.seq, hash: event.hash });
          builder.add(event.hash);
          at += 1;
          report.events += 1;
          while (pending[0] !== undefined && pending[0].treeSize === builder.size) {
            checkRoot(pending[0], builder.rootHex(), fail);
            pending = pending.slice(1);
          }
        }
      }
      await checkMovedHeads(client, newest, last, fail);
      report.casesMoved = last.size;
      return { format: 'casetrail-verified-log/1' as const, treeHead: newest, frontier: builder.frontierHex() };
    },
    { isolation: 'repeatable read', readOnly: true, retry: false },
  );
  report.ok = report.failures.length === 0;
  return { report, state: report.ok ? next : state };
}

function checkRoot(head: SignedTreeHead, root: string, fail: (f: AuditFailure) => void): void {
  if (root !== head.rootHash)
    fail(
      auditFailure(
        {},
        `the log's first ${head.treeSize} events do not give the root tree head ${head.treeSize} signed`,
      ),
    );
}

/** Each case that moved: its last event as the newest head's heads tree holds it. */
async function checkMovedHeads(
  client: pg.ClientBase,
  head: SignedTreeHead,
  moved: ReadonlyMap<string, { seq: number; hash: string }>,
  fail: (f: AuditFailure) => void,
): Promise<void> {
  const stored = await caseHeadsOf(client, [...moved.keys()]);
  const cases = [...moved.entries()].flatMap(([caseId, last]) => {
    const index = stored.get(caseId)?.index;
    if (index === undefined || index >= head.caseCount) {
      fail(auditFailure({ caseId, seq: last.seq }, `the case has no leaf in the heads tree of head ${head.treeSize}`));
      return [];
    }
    return [{ caseId, last, index }];
  });
  const paths = await readTree(client, 'heads_nodes', (get) =>
    cases.map((c) => inclusionPath(get, c.index, head.caseCount)),
  );
  const root = Buffer.from(head.headsRoot, 'hex');
  cases.forEach((c, i) => {
    const leaf = caseHeadLeaf({ caseId: c.caseId, lastSeq: c.last.seq, headHash: c.last.hash });
    if (!verifyInclusion(leaf, c.index, head.caseCount, paths[i] ?? [], root))
      fail(
        auditFailure(
          { caseId: c.caseId, seq: c.last.seq },
          `tree head ${head.treeSize} did not seal seq ${c.last.seq} as the case's last event`,
        ),
      );
  });
}
