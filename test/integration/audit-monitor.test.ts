import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TREE_HEAD_FORMAT,
  consistencyProof,
  describeKey,
  getterOf,
  leafHash,
  nodesAfterSettingLeaves,
  publicKeyId,
  rootOf,
  signTreeHead,
  type SignedTreeHead,
} from '../../src/domain/index.ts';
import { runCli } from '../support/cli.ts';

// A fake casetrail on loopback serving whatever log the test chooses: honest growth, a
// rollback, a fork. The monitor must accept the first and name both sizes of the others.

const keys = generateKeyPairSync('ed25519');
let dir: string;
let server: Server;
let url: string;
let served: { head: SignedTreeHead; nodes: Map<string, Buffer> };

async function logOf(leaves: readonly Buffer[]): Promise<{ head: SignedTreeHead; nodes: Map<string, Buffer> }> {
  const nodes = new Map<string, Buffer>();
  const written = await nodesAfterSettingLeaves(
    leaves.length,
    new Map(leaves.map((l, i) => [i, l])),
    async () => new Map(),
  );
  for (const [key, node] of written) nodes.set(key, node.hash);
  const head = signTreeHead(
    {
      format: TREE_HEAD_FORMAT,
      treeSize: leaves.length,
      rootHash: rootOf(getterOf(nodes), leaves.length).toString('hex'),
      headsRoot: leafHash(Buffer.from('heads')).toString('hex'),
      caseCount: 1,
      timestamp: new Date().toISOString(),
      keyId: publicKeyId(keys.publicKey),
    },
    keys.privateKey,
  );
  return { head, nodes };
}

const honest = Array.from({ length: 12 }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
const forked = honest.map((l, i) => (i === 2 ? leafHash(Buffer.from('rewritten event 2')) : l));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'casetrail-monitor-'));
  server = createServer((request, response) => {
    const address = new URL(request.url ?? '/', 'http://127.0.0.1');
    let body: unknown;
    if (address.pathname === '/.well-known/casetrail-keys.json')
      body = { keys: [describeKey(keys.publicKey, '2026-12-01T00:00:00.000Z')] };
    else if (address.pathname === '/v1/audit/tree-heads') body = { items: [served.head], nextCursor: null };
    else if (address.pathname === '/v1/audit/consistency') {
      const from = Number(address.searchParams.get('from'));
      const to = Number(address.searchParams.get('to'));
      const proof = consistencyProof(getterOf(served.nodes), from, to).map((p) => p.toString('hex'));
      body = { from, to, proof };
    }
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? { code: 'not_found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await writeFile(path.join(dir, 'key.pem'), keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const monitor = (state: string, ...more: string[]) =>
  runCli(['audit', 'monitor', '--state', path.join(dir, state), '--api-url', url, ...more], { LOG_LEVEL: 'silent' });

const keptSize = async (state: string) =>
  (JSON.parse(await readFile(path.join(dir, state, 'head.json'), 'utf8')) as SignedTreeHead).treeSize;

describe('casetrail audit monitor', () => {
  it('will not start without a pinned key', async () => {
    served = await logOf(honest.slice(0, 5));
    const result = await monitor('unpinned');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('key not pinned');
  });

  it('keeps each head consistent with the last, and catches a rollback naming both sizes', async () => {
    served = await logOf(honest.slice(0, 5));
    const first = await monitor('rollback', '--public-key', path.join(dir, 'key.pem'));
    expect([first.code, first.stdout.trim()]).toEqual([0, 'tree head 5 verified and kept']);
    served = await logOf(honest.slice(0, 8));
    const grown = await monitor('rollback');
    expect([grown.code, grown.stdout.trim()]).toEqual([0, 'tree head 8 verified: consistent with the kept head 5']);

    served = await logOf(honest.slice(0, 6));
    const rolledBack = await monitor('rollback', '--json');
    expect(rolledBack.code).toBe(1);
    expect(JSON.parse(rolledBack.stdout)).toEqual({
      ok: false,
      reason: 'rollback: the log went from size 8 back to size 6',
      previousSize: 8,
      treeSize: 6,
    });
    expect(await keptSize('rollback')).toBe(8);
  });

  it('catches a fork: a larger log that does not extend the kept one', async () => {
    served = await logOf(honest.slice(0, 7));
    expect((await monitor('fork', '--public-key', path.join(dir, 'key.pem'))).code).toBe(0);
    served = await logOf(forked.slice(0, 10));
    const result = await monitor('fork');
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toBe('monitor: fork: the heads of size 7 and size 10 are not consistent');
    // The same size with another root is a fork too.
    served = await logOf(forked.slice(0, 7));
    const same = await monitor('fork');
    expect([same.code, same.stdout.trim()]).toEqual([
      1,
      'monitor: fork: the heads of size 7 and size 7 are not consistent',
    ]);
    expect(await keptSize('fork')).toBe(7);
  });

  it('refuses a head signed by a key that is not pinned', async () => {
    served = await logOf(honest.slice(0, 5));
    const stranger = path.join(dir, 'stranger.pem');
    await writeFile(
      stranger,
      generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    const result = await monitor('stranger', '--public-key', stranger);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/not trusted/u);
  });
});
