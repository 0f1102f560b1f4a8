import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCase } from '../../src/app/export-case.ts';
import { signedTreeHeadBytes } from '../../src/domain/index.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { checkTimeStamp } from '../../src/infra/time-stamps.ts';
import { createTrail, SEAL_NOW, type Trail } from '../support/audit-trail.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { SUPERVISOR } from '../support/fixtures.ts';

// A time-stamp authority made here with Debian's `openssl ts`, served on loopback: the sealer
// time-stamps its tree heads there, bundles carry the answer, and the verifier checks it
// offline against the authority's certificate.

const run = promisify(execFile);
let dir: string;
let db: TestDatabase;
let trail: Trail;
let server: Server;
let tsaUrl: string;

async function authority(name: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '30',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:false',
    '-addext',
    'keyUsage=critical,digitalSignature',
    '-addext',
    'extendedKeyUsage=critical,timeStamping',
  ]);
  return { cert, key };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'casetrail-tsa-'));
  db = await createTestDatabase();
  trail = createTrail(db);
  const tsa = await authority('tsa');
  await writeFile(path.join(dir, 'serial'), '01\n');
  const config = path.join(dir, 'tsa.cnf');
  await writeFile(
    config,
    [
      '[ tsa ]',
      'default_tsa = tsa_config1',
      '[ tsa_config1 ]',
      `serial = ${path.join(dir, 'serial')}`,
      'crypto_device = builtin',
      'signer_digest = sha256',
      'default_policy = 1.2.3.4.1',
      'digests = sha256',
      'accuracy = secs:1',
      'ordering = yes',
      'tsa_name = no',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  let serial = 0;
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', async () => {
      serial += 1;
      const query = path.join(dir, `q${serial}.tsq`);
      const reply = path.join(dir, `r${serial}.tsr`);
      await writeFile(query, Buffer.concat(chunks));
      await run('openssl', [
        'ts',
        '-reply',
        '-config',
        config,
        '-section',
        'tsa_config1',
        '-queryfile',
        query,
        '-signer',
        tsa.cert,
        '-inkey',
        tsa.key,
        '-out',
        reply,
      ]);
      response.writeHead(200, { 'content-type': 'application/timestamp-reply' });
      response.end(await readFile(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tsaUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('RFC 3161 anchoring of tree heads', () => {
  it('time-stamps each round of heads, puts the stamp in bundles and checks it offline', async () => {
    const caseId = await trail.enforcedPenalty();
    const round = await trail.seal({ ...SEAL_NOW, tsaUrl });
    const head = round.treeHeads.at(-1);
    if (head === undefined) throw new Error('no tree head was signed');
    const { rows } = await db.pool.query<{ response: Buffer }>(
      'SELECT response FROM tree_head_anchors WHERE tree_size = $1',
      [head.treeSize],
    );
    const stamp = rows[0]?.response as Buffer;
    const tsaCert = await readFile(path.join(dir, 'tsa.crt'), 'utf8');
    expect(await checkTimeStamp(stamp, signedTreeHeadBytes(head), tsaCert)).toMatchObject({ ok: true });
    // The stamp covers the signed head: another head does not match it.
    expect(
      await checkTimeStamp(stamp, signedTreeHeadBytes({ ...head, treeSize: head.treeSize + 1 }), tsaCert),
    ).toMatchObject({
      ok: false,
    });

    const log = createLogger({ level: 'silent' });
    const exported = await exportCase(
      { pool: db.pool, log, ...trail.keys, sealPolicy: { ...SEAL_NOW, tsaUrl } },
      SUPERVISOR,
      caseId,
    );
    if (!exported.ok) throw new Error(exported.detail);
    expect(exported.bundle.anchor).toBe(stamp.toString('base64'));
    const file = path.join(dir, 'bundle.json');
    await writeFile(file, JSON.stringify(exported.bundle, null, 2));
    const key = path.join(dir, 'key.pem');
    await writeFile(key, trail.keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const offline = { LOG_LEVEL: 'silent' };
    const verified = await runCli(
      ['audit', 'verify', '--bundle', file, '--public-key', key, '--tsa-cert', path.join(dir, 'tsa.crt')],
      offline,
    );
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(/; time-stamped \d{4}-\d\d-\d\dT/u);

    const other = await authority('other');
    const refused = await runCli(
      ['audit', 'verify', '--bundle', file, '--public-key', key, '--tsa-cert', other.cert],
      offline,
    );
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^bundle BROKEN at case .*: the time stamp does not/u);
  });
});
