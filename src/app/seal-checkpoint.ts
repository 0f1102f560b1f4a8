import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import {
  CHECKPOINT_FORMAT,
  GENESIS_HASH,
  createRangeDigest,
  headsHash,
  publicKeyId,
  signCheckpoint,
  type SignedCheckpoint,
  signedTreeHeadBytes,
  type SignedTreeHead,
} from '../domain/index.ts';
import {
  databaseNow,
  eventBarrier,
  insertCheckpoint,
  lastCheckpoint,
  leavesBetween,
  lockSealer,
  pendingAfter,
  tryLockSealer,
  unlockSealer,
} from '../infra/db/checkpoint.repository.ts';
import type { Config } from '../infra/config/config.ts';
import type { Logger } from '../infra/logger.ts';
import { errorInfo } from '../infra/error-info.ts';
import { insertAnchor } from '../infra/db/merkle-log.repository.ts';
import { requestTimeStamp } from '../infra/time-stamps.ts';
import { extendLog } from './merkle-log.ts';

export type SealDeps = { pool: pg.Pool; signingKey: KeyObject; publicKey: KeyObject; log: Logger };

export type SealPolicy = {
  /** Seal as soon as this many events wait; also the most one checkpoint covers. */
  maxEvents: number;
  /** Seal whatever waits once its oldest event is this old. */
  maxAgeMs: number;
  /** How long the commit barrier may wait for writers before this round gives up. */
  barrierTimeoutMs: number;
  /** An RFC 3161 time-stamp authority for each new tree head (CASETRAIL_TSA_URL). */
  tsaUrl?: string;
};

export type SealRound = {
  status: 'sealed' | 'not_due' | 'busy';
  checkpoints: SignedCheckpoint[];
  /** The tree heads signed as the log took in what the checkpoints sealed. */
  treeHeads: SignedTreeHead[];
};

/** How long the commit barrier waits for open writers: bounded, so sealing never stalls the pipeline for long. */
export const BARRIER_TIMEOUT_MS = 2_000;

/** Most checkpoints one round writes; a larger backlog continues on the next round. */
const MAX_PER_ROUND = 100;

/**
 * Seals the events that are due into signed checkpoints. Safe in any number of processes:
 * one sealer works at a time (session advisory lock), and the checkpoint table's unique
 * id and prevHash would refuse a fork anyway. With `force`, seals everything committed now
 * (an export does this, so that its bundle carries proofs), waiting for a busy sealer.
 */
export async function sealCheckpoints(
  deps: SealDeps,
  policy: SealPolicy,
  options: { force?: boolean } = {},
): Promise<SealRound> {
  const client = await deps.pool.connect();
  let broken: Error | undefined;
  try {
    const locked = options.force ? await lockSealer(client, policy.barrierTimeoutMs * 2) : await tryLockSealer(client);
    if (!locked) return { status: 'busy', checkpoints: [], treeHeads: [] };
    try {
      const checkpoints = await sealWhileLocked(client, deps, policy, options.force === true);
      // The log takes in every sealed event, past the same commit barrier; a trail older
      // than the log catches up here.
      const sealedThrough = (await lastCheckpoint(client))?.checkpoint.toEventId ?? '0';
      const treeHeads = await extendLog(client, deps, sealedThrough);
      if (policy.tsaUrl !== undefined) await anchorHeads(client, deps.log, policy.tsaUrl, treeHeads);
      const sealed = checkpoints.length > 0 || treeHeads.length > 0;
      return { status: sealed ? 'sealed' : 'not_due', checkpoints, treeHeads };
    } finally {
      await unlockSealer(client).catch((error: Error) => {
        // A lock we cannot release must not outlive us: drop the connection with it.
        broken = error;
      });
    }
  } finally {
    client.release(broken);
  }
}

async function sealWhileLocked(
  client: pg.PoolClient,
  deps: SealDeps,
  policy: SealPolicy,
  force: boolean,
): Promise<SignedCheckpoint[]> {
  let last = await lastCheckpoint(client);
  let after = last?.checkpoint.toEventId ?? '0';
  const pending = await pendingAfter(client, after, policy.maxEvents);
  const ageDue = pending.oldestAgeMs >= policy.maxAgeMs;
  if (pending.count === 0 || !(force || ageDue || pending.count >= policy.maxEvents)) return [];

  const barrier = await eventBarrier(client, policy.barrierTimeoutMs);
  const keyId = publicKeyId(deps.publicKey);
  const sealed: SignedCheckpoint[] = [];
  while (BigInt(after) < BigInt(barrier) && sealed.length < MAX_PER_ROUND) {
    const leaves = await leavesBetween(client, after, barrier, policy.maxEvents);
    const full = leaves.length === policy.maxEvents;
    // A partial chunk behind full ones waits for its own turn unless it is due already.
    if (leaves.length === 0 || (!full && !force && !ageDue)) break;
    const toEventId = full ? (leaves.at(-1)?.id as string) : barrier;
    const digest = createRangeDigest();
    for (const leaf of leaves) digest.add(leaf);
    const heads = digest.heads();
    const checkpoint = signCheckpoint(
      {
        format: CHECKPOINT_FORMAT,
        seq: (last?.checkpoint.seq ?? 0) + 1,
        fromEventId: (BigInt(after) + 1n).toString(),
        toEventId,
        eventCount: digest.count,
        root: digest.root(),
        headsHash: headsHash(heads),
        prevHash: last?.checkpoint.hash ?? GENESIS_HASH,
        createdAt: (await databaseNow(client)).toISOString(),
        keyId,
      },
      deps.signingKey,
    );
    await insertCheckpoint(client, checkpoint, heads);
    deps.log.info(
      {
        checkpoint: checkpoint.seq,
        fromEventId: checkpoint.fromEventId,
        toEventId: checkpoint.toEventId,
        events: checkpoint.eventCount,
      },
      'checkpoint sealed',
    );
    sealed.push(checkpoint);
    last = { checkpoint, heads };
    after = toEventId;
  }
  return sealed;
}

/** The sealing policy configured for this process. */
export function sealPolicy(
  config: Pick<Config, 'CASETRAIL_CHECKPOINT_EVENTS' | 'CASETRAIL_CHECKPOINT_INTERVAL' | 'CASETRAIL_TSA_URL'>,
): SealPolicy {
  return {
    maxEvents: config.CASETRAIL_CHECKPOINT_EVENTS,
    maxAgeMs: config.CASETRAIL_CHECKPOINT_INTERVAL,
    barrierTimeoutMs: BARRIER_TIMEOUT_MS,
    ...(config.CASETRAIL_TSA_URL === undefined ? {} : { tsaUrl: config.CASETRAIL_TSA_URL }),
  };
}

/**
 * Time-stamps the newest of the heads just signed (each later head extends it, so one stamp
 * per round anchors everything before it). An authority that fails is logged, never fatal:
 * the head stands without its anchor.
 */
async function anchorHeads(
  client: pg.ClientBase,
  log: Logger,
  url: string,
  heads: readonly SignedTreeHead[],
): Promise<void> {
  const head = heads.at(-1);
  if (head === undefined) return;
  try {
    await insertAnchor(client, head.treeSize, await requestTimeStamp(url, signedTreeHeadBytes(head)));
  } catch (error) {
    log.warn({ treeSize: head.treeSize, err: errorInfo(error) }, 'time-stamping a tree head failed');
  }
}
