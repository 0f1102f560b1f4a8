import { resolve } from 'node:path';
import { fileStoreUrl, type Config } from '../config/config.ts';
import type { FileStore } from './file-store.ts';
import { openLocalStore } from './local-store.ts';

export type FileStoreConfig = Pick<
  Config,
  'CASETRAIL_FILE_STORE' | 'CASETRAIL_DATA_DIR' | 'AWS_ENDPOINT_URL' | 'AWS_REGION' | 'CASETRAIL_S3_FORCE_PATH_STYLE'
>;

/**
 * The file store the configuration names (docs/design.md §10): a directory (default
 * `<data dir>/files`) or an S3 bucket. The AWS SDK is loaded only for an s3:// store.
 */
export async function openFileStore(config: FileStoreConfig): Promise<FileStore> {
  const url =
    config.CASETRAIL_FILE_STORE === undefined
      ? { kind: 'file' as const, path: resolve(config.CASETRAIL_DATA_DIR, 'files') }
      : fileStoreUrl(config.CASETRAIL_FILE_STORE);
  if (url === null) throw new Error('CASETRAIL_FILE_STORE: expected file:///absolute/path or s3://bucket/prefix');
  if (url.kind === 'file') return openLocalStore(url.path);
  const { openS3Store } = await import('./s3-store.ts');
  return openS3Store({
    bucket: url.bucket,
    prefix: url.prefix,
    region: config.AWS_REGION,
    ...(config.AWS_ENDPOINT_URL === undefined ? {} : { endpoint: config.AWS_ENDPOINT_URL }),
    forcePathStyle:
      config.CASETRAIL_S3_FORCE_PATH_STYLE === undefined
        ? config.AWS_ENDPOINT_URL !== undefined
        : config.CASETRAIL_S3_FORCE_PATH_STYLE === 'true',
  });
}
