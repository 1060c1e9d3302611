import { GetObjectCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { PromoterError } from '../errors';
import { type Clock, systemClock } from '../ports/clock';
import type { KeyringSource } from '../ports/keyring-source';
import { DEFAULT_TTL_MS, ttlCache } from './ttl-cache';

/** The one call we make; an `S3Client` fits. */
export interface KeyringObjectClient {
  send(command: GetObjectCommand): Promise<GetObjectCommandOutput>;
}

export interface S3KeyringSourceOptions {
  readonly client: KeyringObjectClient;
  readonly bucket: string;
  /** Key of the armored keyring (`gpg --armor --export > keyring.asc`). */
  readonly key: string;
  /** @default 5 minutes */
  readonly ttlMs?: number;
  readonly clock?: Clock;
}

/** A keyring larger than this is not a list of team keys. */
const MAX_KEYRING_BYTES = 1024 * 1024;

/**
 * The provenance keyring as an S3 object (its own bucket or prefix, writable only by whoever decides who
 * may sign). Every failure is a retryable `KEYRING_UNAVAILABLE`: a deployment problem, not the chart's.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 */
export class S3KeyringSource implements KeyringSource {
  readonly publicKeys: () => Promise<string>;

  constructor(options: S3KeyringSourceOptions) {
    const where = `s3://${options.bucket}/${options.key}`;
    const read = async (): Promise<string> => {
      let output: GetObjectCommandOutput;
      try {
        output = await options.client.send(
          new GetObjectCommand({ Bucket: options.bucket, Key: options.key }),
        );
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        throw new PromoterError(
          'KEYRING_UNAVAILABLE',
          'retryable',
          `keyring ${where}: GetObject failed: ${name}`,
          {
            cause: error,
          },
        );
      }
      if ((output.ContentLength ?? 0) > MAX_KEYRING_BYTES || !output.Body) {
        throw new PromoterError(
          'KEYRING_UNAVAILABLE',
          'retryable',
          `keyring ${where}: empty or over ${MAX_KEYRING_BYTES} bytes`,
        );
      }
      return output.Body.transformToString('utf-8');
    };
    const cache = ttlCache(read, options.ttlMs ?? DEFAULT_TTL_MS, options.clock ?? systemClock);
    this.publicKeys = () => cache.get();
  }
}
