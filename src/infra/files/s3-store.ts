import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  assertSha256,
  assertTempId,
  type ByteRange,
  type FileStore,
  type ObjectArea,
  type StoredObject,
  type TempObject,
} from './file-store.ts';

export type S3StoreOptions = {
  bucket: string;
  /** Key prefix, '' or ending in '/'. */
  prefix: string;
  region: string;
  /** An S3-compatible service; unset: AWS itself. */
  endpoint?: string;
  forcePathStyle: boolean;
  /** Unset: the SDK's usual sources (AWS_ACCESS_KEY_ID..., profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
};

// Parts of a streamed upload: S3's minimum is 5 MiB; two in flight bound the memory an
// upload takes to about 16 MiB whatever its size.
const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/**
 * A file store in an S3 bucket (any S3-compatible service): `tmp/<id>` while an upload
 * runs (a multipart upload, invisible until complete), then a server-side copy to
 * `objects/<sha256>`. Credentials come from the AWS SDK's usual sources (environment,
 * profile, instance role). Objects over 5 GiB cannot be copied in one request: keep
 * CASETRAIL_FILE_MAX_BYTES below that with this store.
 */
export function openS3Store(options: S3StoreOptions): FileStore {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    forcePathStyle: options.forcePathStyle,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    // Older S3-compatible servers refuse the CRC checksums the SDK sends by default.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const { bucket, prefix } = options;
  const objectKey = (area: ObjectArea, sha256: string) => {
    assertSha256(sha256);
    return `${prefix}${area}/${sha256}`;
  };
  const tempKey = (id: string) => {
    assertTempId(id);
    return `${prefix}tmp/${id}`;
  };
  const remove = async (key: string) => {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  };
  async function* keys(under: string): AsyncIterable<{ name: string; modifiedAt: Date }> {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: under, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        yield { name: item.Key.slice(under.length), modifiedAt: item.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  return {
    kind: 's3',
    location: `s3://${bucket}/${prefix}`,
    async writeTemp(source: Readable) {
      const id = randomUUID();
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: tempKey(id), Body: source },
        partSize: PART_SIZE,
        queueSize: PARTS_IN_FLIGHT,
        leavePartsOnError: false,
      });
      // A failing source leaves the upload waiting for bytes that never come: stop it.
      const stop = () => void upload.abort().catch(() => undefined);
      source.once('error', stop);
      try {
        await upload.done();
      } catch (error) {
        await remove(tempKey(id)).catch(() => undefined);
        throw source.errored ?? error;
      } finally {
        source.off('error', stop);
      }
      return id;
    },
    async commitTemp(id, sha256) {
      const from = tempKey(id);
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: objectKey('objects', sha256),
          CopySource: `${bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
        }),
      );
      await remove(from);
    },
    async deleteTemp(id) {
      await remove(tempKey(id));
    },
    async read(area, sha256, range?: ByteRange) {
      try {
        const answer = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: objectKey(area, sha256),
            ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
          }),
        );
        return answer.Body instanceof Readable ? answer.Body : Readable.from([]);
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async put(area, sha256, bytes) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: objectKey(area, sha256), Body: bytes }));
    },
    async exists(area, sha256) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(area, sha256) }));
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
    async delete(area, sha256) {
      await remove(objectKey(area, sha256));
    },
    async *list(area): AsyncIterable<StoredObject> {
      for await (const { name, modifiedAt } of keys(`${prefix}${area}/`)) yield { area, sha256: name, modifiedAt };
    },
    async *listTemps(): AsyncIterable<TempObject> {
      for await (const { name, modifiedAt } of keys(`${prefix}tmp/`)) yield { id: name, modifiedAt };
    },
    async close() {
      client.destroy();
    },
  };
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}
