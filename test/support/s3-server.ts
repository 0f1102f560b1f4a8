// An S3-compatible server on loopback for the file-store suite: s3rver, in this process,
// over a temporary directory. Null (with the reason) when it cannot start here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openS3Store } from '../../src/infra/files/s3-store.ts';
import type { FileStore } from '../../src/infra/files/file-store.ts';

export type TestS3 = { endpoint: string; bucket: string; store(prefix?: string): FileStore; close(): Promise<void> };

type S3rverInstance = { run(): Promise<{ port: number }>; close(): Promise<void> };

export async function startS3(): Promise<TestS3 | { unavailable: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'casetrail-s3-'));
  const bucket = 'casetrail-test';
  let server: S3rverInstance;
  let port: number;
  try {
    const { default: S3rver } = (await import('s3rver')) as {
      default: new (options: Record<string, unknown>) => S3rverInstance;
    };
    server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: dir,
      configureBuckets: [{ name: bucket }],
    });
    ({ port } = await server.run());
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    return { unavailable: `no S3-compatible server could be started on loopback (${(error as Error).message})` };
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const stores: FileStore[] = [];
  return {
    endpoint,
    bucket,
    store(prefix = 'evidence/') {
      const store = openS3Store({
        bucket,
        prefix,
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        // s3rver's fixed test credentials; no other source is ever asked.
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      stores.push(store);
      return store;
    },
    async close() {
      await Promise.all(stores.map((s) => s.close()));
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
