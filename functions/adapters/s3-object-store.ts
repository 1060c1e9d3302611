import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { PromoterError } from '../errors';
import { type Clock, systemClock } from '../ports/clock';
import type { GetObjectOptions, ObjectRef, ObjectStore, StoredObject } from '../ports/object-store';
import { objectLabel, s3Error } from './s3-errors';
import { readCapped } from './s3-read-capped';
import { toTagSet } from './s3-tags';

/** How long to wait for a read to match the size the event announced (REAL-SERVICES.md "s3rver"). */
export interface SizeRetry {
  readonly attempts: number;
  readonly delayMs: number;
}

export const DEFAULT_SIZE_RETRY: SizeRetry = { attempts: 5, delayMs: 100 };

export interface S3ObjectStoreOptions {
  /** Build it with `requestChecksumCalculation`/`responseChecksumValidation: 'WHEN_REQUIRED'` for s3rver. */
  readonly client: S3Client;
  readonly clock?: Clock;
  readonly sizeRetry?: SizeRetry;
}

interface Read {
  readonly object: StoredObject;
  /** False when fewer bytes arrived than the response's own Content-Length announced (torn read). */
  readonly complete: boolean;
}

const tooLarge = (ref: ObjectRef, detail: string, maxBytes: number): PromoterError =>
  new PromoterError(
    'OBJECT_TOO_LARGE',
    'terminal',
    `${objectLabel(ref)} ${detail}, over the ${maxBytes} byte cap`,
  );

const lowerCaseKeys = (metadata: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key.toLowerCase(), value]));

/** S3 quotes ETags in headers; events carry them bare. Keep the bare form everywhere. */
const bareEtag = (etag: string | undefined): string | undefined => etag?.replace(/^"|"$/g, '');

/** The chart bucket, through the AWS SDK v3 S3 client (S3 in AWS, s3rver locally). */
export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;
  readonly #clock: Clock;
  readonly #sizeRetry: SizeRetry;

  constructor(options: S3ObjectStoreOptions) {
    this.#client = options.client;
    this.#clock = options.clock ?? systemClock;
    this.#sizeRetry = options.sizeRetry ?? DEFAULT_SIZE_RETRY;
  }

  /**
   * Reads the object (the exact version when known), refusing with a terminal `OBJECT_TOO_LARGE`
   * before the download completes. With `expectedSize`, a read of another size is retried briefly;
   * if it still differs, a complete read is returned (the key was overwritten since the event: the
   * newest content is what there is to promote) and a torn one is a retryable `OBJECT_SIZE_MISMATCH`.
   */
  async get(ref: ObjectRef, options: GetObjectOptions): Promise<StoredObject> {
    const { expectedSize, maxBytes } = options;
    for (let attempt = 1; ; attempt += 1) {
      const last = expectedSize === undefined || attempt >= this.#sizeRetry.attempts;
      let read: Read;
      try {
        read = await this.#readOnce(ref, maxBytes);
      } catch (error) {
        // A half-written file can also surface as a truncated response: same bounded retry.
        if (last || !(error instanceof PromoterError) || !error.retryable) throw error;
        await this.#clock.sleep(this.#sizeRetry.delayMs);
        continue;
      }
      if (expectedSize === undefined || read.object.size === expectedSize) return read.object;
      if (last) {
        if (read.complete) return read.object;
        throw new PromoterError(
          'OBJECT_SIZE_MISMATCH',
          'retryable',
          `${objectLabel(ref)}: read ${read.object.size} bytes, the event announced ${expectedSize}`,
        );
      }
      await this.#clock.sleep(this.#sizeRetry.delayMs);
    }
  }

  async #readOnce(ref: ObjectRef, maxBytes: number): Promise<Read> {
    const abort = new AbortController();
    let output: GetObjectCommandOutput;
    try {
      output = await this.#client.send(
        new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId }),
        { abortSignal: abort.signal },
      );
    } catch (error) {
      throw s3Error(error, ref, 'GetObject');
    }
    const declared = output.ContentLength;
    if (declared !== undefined && declared > maxBytes) {
      // Refuse on the header alone: close the connection before the body is transferred.
      (output.Body as { destroy?: () => void } | undefined)?.destroy?.();
      abort.abort();
      throw tooLarge(ref, `is ${declared} bytes`, maxBytes);
    }
    let capped: Awaited<ReturnType<typeof readCapped>>;
    try {
      capped = await readCapped(output.Body, maxBytes);
    } catch (error) {
      throw s3Error(error, ref, 'reading the body of');
    }
    if (!capped.ok) {
      abort.abort();
      throw tooLarge(ref, `had sent ${capped.received} bytes when the read was stopped`, maxBytes);
    }
    const versionId = output.VersionId ?? ref.versionId;
    const etag = bareEtag(output.ETag);
    const object: StoredObject = {
      bucket: ref.bucket,
      key: ref.key,
      ...(versionId === undefined ? {} : { versionId }),
      ...(etag === undefined ? {} : { etag }),
      size: capped.bytes.byteLength,
      metadata: lowerCaseKeys(output.Metadata),
      bytes: capped.bytes,
    };
    return { object, complete: declared === undefined || declared === capped.bytes.byteLength };
  }

  /**
   * Replaces the object's tags (PutObjectTagging; the exact version when known). Values are
   * sanitised to S3's character set and length; see s3-tags.ts for the limits.
   * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html
   */
  async tag(ref: ObjectRef, tags: Readonly<Record<string, string>>): Promise<void> {
    const TagSet = toTagSet(tags);
    try {
      await this.#client.send(
        new PutObjectTaggingCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          VersionId: ref.versionId,
          Tagging: { TagSet },
        }),
      );
    } catch (error) {
      throw s3Error(error, ref, 'PutObjectTagging');
    }
  }
}
