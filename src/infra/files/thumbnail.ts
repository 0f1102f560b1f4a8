import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';

/** The longest side of a thumbnail, in pixels. */
const THUMBNAIL_SIZE = 320;

// Decoding is bounded: a picture of more pixels than this is refused, not decompressed.
const MAX_INPUT_PIXELS = 100_000_000;

/**
 * A small WebP of an image (its first frame), turned as its EXIF orientation says and no
 * larger than THUMBNAIL_SIZE on either side. The image streams in; only the thumbnail is
 * held.
 */
export async function makeThumbnail(image: Readable): Promise<Buffer> {
  const transformer = sharp({ limitInputPixels: MAX_INPUT_PIXELS, animated: false, failOn: 'error' })
    .rotate()
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 70 });
  const [, output] = await Promise.all([pipeline(image, transformer), transformer.toBuffer()]);
  return output;
}
