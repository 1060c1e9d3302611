import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { S3Client } from '@aws-sdk/client-s3';

/** What s3rver says about a created object. Its key is NOT URL-encoded, unlike real S3's. */
export interface S3rverObjectCreated {
  /** `ObjectCreated:Put`, `:Copy`, or `:Post` (s3rver reports multipart uploads as Post). */
  readonly eventName: string;
  readonly eventTime: string;
  readonly bucket: string;
  /** The key exactly as stored (raw, unencoded). */
  readonly key: string;
  readonly size?: number;
  readonly eTag?: string;
  readonly sequencer?: string;
}

export type ObjectCreatedListener = (event: S3rverObjectCreated) => void;

export interface S3Endpoint {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly bucket: string;
  /** An S3 client configured for this endpoint (path-style, s3rver's fixed credentials). */
  readonly client: S3Client;
  /** Calls `listener` for every object created in any bucket; returns the unsubscribe function. */
  onObjectCreated(listener: ObjectCreatedListener): () => void;
  close(): Promise<void>;
}

export interface S3EndpointOptions {
  /** Directory s3rver stores buckets in (the caller owns it). */
  readonly directory: string;
  readonly bucket: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Log every request to stdout (s3rver's winston logger). @default false */
  readonly verbose?: boolean;
}

/** s3rver accepts only these, and signs nothing else (it checks SigV4 against them). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * An S3 client for s3rver (or any S3-compatible endpoint). The checksum settings matter: with the
 * SDK defaults, streamed uploads are sent with aws-chunked framing, which s3rver 3.7 stores as-is
 * (silent corruption; REAL-SERVICES.md "s3rver").
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-dataintegrity.html
 */
export const localS3Client = (endpoint: string): S3Client =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

/** The slice of s3rver 3.7 we use (it ships no types). */
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  on(event: 'event', listener: (event: unknown) => void): void;
  off(event: 'event', listener: (event: unknown) => void): void;
  readonly httpServer?: Server;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

interface S3rverRecord {
  eventName?: string;
  eventTime?: string;
  s3?: {
    bucket?: { name?: string };
    object?: { key?: string; size?: number; eTag?: string; sequencer?: string };
  };
}

const toObjectCreated = (record: S3rverRecord): S3rverObjectCreated | undefined => {
  const object = record.s3?.object;
  const bucket = record.s3?.bucket?.name;
  if (!record.eventName?.startsWith('ObjectCreated:') || object?.key === undefined || bucket === undefined) {
    return undefined;
  }
  return {
    eventName: record.eventName,
    eventTime: record.eventTime ?? new Date().toISOString(),
    bucket,
    key: object.key,
    ...(typeof object.size === 'number' ? { size: object.size } : {}),
    ...(object.eTag === undefined ? {} : { eTag: object.eTag }),
    ...(object.sequencer === undefined ? {} : { sequencer: object.sequencer }),
  };
};

/**
 * Starts s3rver on 127.0.0.1 with `bucket` created. Port 0 works: s3rver passes it to
 * `server.listen` and `run()` resolves with the bound address.
 */
export const startS3Endpoint = async (options: S3EndpointOptions): Promise<S3Endpoint> => {
  // s3rver is CommonJS without type declarations; require it and type the slice we use.
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    directory: options.directory,
    silent: !options.verbose,
    vhostBuckets: false,
    configureBuckets: [{ name: options.bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localS3Client(endpoint);
  const subscriptions = new Set<(event: unknown) => void>();

  return {
    endpoint,
    port,
    bucket: options.bucket,
    client,
    onObjectCreated(listener) {
      const relay = (event: unknown): void => {
        for (const record of (event as { Records?: S3rverRecord[] }).Records ?? []) {
          const created = toObjectCreated(record);
          if (created !== undefined) listener(created);
        }
      };
      server.on('event', relay);
      subscriptions.add(relay);
      return () => {
        server.off('event', relay);
        subscriptions.delete(relay);
      };
    },
    async close() {
      for (const relay of subscriptions) server.off('event', relay);
      subscriptions.clear();
      client.destroy();
      // Keep-alive sockets (ours or another client's) would hold close() open.
      const closing = server.close();
      server.httpServer?.closeAllConnections();
      await closing;
    },
  };
};
