import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import {
  type AddressInfo,
  connect,
  createServer as createTcpServer,
  type Server as TcpServer,
} from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../functions/adapters/s3-object-store';
import { PromoterError } from '../../../functions/errors';
import { localS3Client, type S3Endpoint, startS3Endpoint } from '../../../functions/local/s3-endpoint';
import type { Clock } from '../../../functions/ports/clock';

const MiB = 1024 * 1024;
const BUCKET = 'charts';

const caught = async (promise: Promise<unknown>): Promise<PromoterError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PromoterError) return error;
    throw error;
  }
  throw new Error('expected a PromoterError');
};

const listen = async <T extends Server | TcpServer>(server: T): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

const closeServer = (server: Server | TcpServer): Promise<void> =>
  new Promise((resolve) => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close(() => resolve());
  });

/** A TCP relay in front of s3rver that counts the bytes it carries back to the client. */
const countingProxy = async (
  target: number,
): Promise<{ port: number; received: () => number; server: TcpServer }> => {
  let received = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = createTcpServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    upstream.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  server.on('close', () => {
    for (const socket of sockets) socket.destroy();
  });
  return { port: await listen(server), received: () => received, server };
};

describe('S3ObjectStore against s3rver', () => {
  let directory: string;
  let s3: S3Endpoint;
  let store: S3ObjectStore;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 's3-object-store-'));
    s3 = await startS3Endpoint({ directory, bucket: BUCKET });
    store = new S3ObjectStore({ client: s3.client });
  });

  afterAll(async () => {
    await s3?.close();
    await rm(directory, { recursive: true, force: true });
  });

  const put = (key: string, body: Uint8Array, metadata?: Record<string, string>) =>
    s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, Metadata: metadata }));

  it('returns the bytes, size, etag and user metadata (keys lower-cased)', async () => {
    // Prepare
    const body = new TextEncoder().encode('chart bytes');
    await put('incoming/meta.tgz', body, { 'Uploaded-By': 'ci', 'run-id': '42' });

    // Act
    const object = await store.get({ bucket: BUCKET, key: 'incoming/meta.tgz' }, { maxBytes: 1024 });

    // Assess
    expect(Buffer.from(object.bytes).toString()).toBe('chart bytes');
    expect(object).toMatchObject({
      bucket: BUCKET,
      key: 'incoming/meta.tgz',
      size: body.byteLength,
      etag: createHash('md5').update(body).digest('hex'),
      metadata: { 'uploaded-by': 'ci', 'run-id': '42' },
    });
    expect(object).not.toHaveProperty('versionId');
  });

  it('refuses a missing key with a terminal OBJECT_NOT_FOUND', async () => {
    // Act
    const error = await caught(store.get({ bucket: BUCKET, key: 'incoming/gone.tgz' }, { maxBytes: 1024 }));

    // Assess
    expect(error).toMatchObject({ code: 'OBJECT_NOT_FOUND', disposition: 'terminal' });
  });

  it('classifies a dead endpoint as a retryable OBJECT_STORE_UNAVAILABLE', async () => {
    // Prepare: a port that was free a moment ago, nothing listens on it now.
    const probe = createTcpServer();
    const port = await listen(probe);
    await closeServer(probe);
    const client = localS3Client(`http://127.0.0.1:${port}`);
    const deadStore = new S3ObjectStore({ client });

    // Act
    const error = await caught(deadStore.get({ bucket: BUCKET, key: 'x.tgz' }, { maxBytes: 10 }));
    client.destroy();

    // Assess
    expect(error).toMatchObject({ code: 'OBJECT_STORE_UNAVAILABLE', disposition: 'retryable' });
  });

  it('tags the object (round trip through GetObjectTagging), sanitising values', async () => {
    // Prepare
    await put('incoming/tagged.tgz', new Uint8Array([1, 2, 3]));
    const ref = { bucket: BUCKET, key: 'incoming/tagged.tgz' };

    // Act
    await store.tag(ref, {
      'chart-promoter/status': 'refused',
      'chart-promoter/reason': 'CHART_YAML_INVALID: "x"',
    });
    const tagging = await s3.client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: ref.key }));

    // Assess
    expect(tagging.TagSet).toEqual([
      { Key: 'chart-promoter/status', Value: 'refused' },
      { Key: 'chart-promoter/reason', Value: 'CHART_YAML_INVALID: _x_' },
    ]);
  });

  it('refuses to tag a missing key with OBJECT_NOT_FOUND', async () => {
    const error = await caught(store.tag({ bucket: BUCKET, key: 'incoming/nope.tgz' }, { a: 'b' }));
    expect(error).toMatchObject({ code: 'OBJECT_NOT_FOUND', disposition: 'terminal' });
  });

  it('refuses a 50 MiB object over a 1 MiB cap before the download completes', async () => {
    // Prepare
    await put('incoming/huge.tgz', new Uint8Array(50 * MiB).fill(7));
    const proxy = await countingProxy(s3.port);
    const client = localS3Client(`http://127.0.0.1:${proxy.port}`);
    const proxied = new S3ObjectStore({ client });

    // Act
    const started = performance.now();
    const error = await caught(proxied.get({ bucket: BUCKET, key: 'incoming/huge.tgz' }, { maxBytes: MiB }));
    const elapsedMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 200)); // let in-flight bytes land
    client.destroy();
    await closeServer(proxy.server);

    // Assess
    expect(error).toMatchObject({ code: 'OBJECT_TOO_LARGE', disposition: 'terminal' });
    expect(error.message).toContain(`is ${50 * MiB} bytes`);
    expect(proxy.received()).toBeLessThan(10 * MiB);
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('retries a read whose size differs from the event until it matches (half-written object)', async () => {
    // Prepare: the event announced 6 bytes; the object "finishes writing" during the first wait.
    const key = 'incoming/growing.tgz';
    await put(key, new TextEncoder().encode('abc'));
    const sleeps: number[] = [];
    const clock: Clock = {
      now: () => new Date(),
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length === 2) await put(key, new TextEncoder().encode('abcdef'));
      },
    };
    const patient = new S3ObjectStore({ client: s3.client, clock, sizeRetry: { attempts: 5, delayMs: 1 } });

    // Act
    const object = await patient.get({ bucket: BUCKET, key }, { maxBytes: 100, expectedSize: 6 });

    // Assess
    expect(Buffer.from(object.bytes).toString()).toBe('abcdef');
    expect(sleeps).toEqual([1, 1]);
  });

  it('returns a complete read of another size once the retries are spent (the key was overwritten)', async () => {
    // Prepare
    const key = 'incoming/overwritten.tgz';
    await put(key, new TextEncoder().encode('newer content'));
    const clock: Clock = { now: () => new Date(), sleep: async () => undefined };
    const patient = new S3ObjectStore({ client: s3.client, clock, sizeRetry: { attempts: 3, delayMs: 1 } });

    // Act
    const object = await patient.get({ bucket: BUCKET, key }, { maxBytes: 100, expectedSize: 3 });

    // Assess
    expect(Buffer.from(object.bytes).toString()).toBe('newer content');
  });
});

describe('S3ObjectStore against an endpoint that sends no Content-Length', () => {
  let server: Server;
  let port: number;
  const sent: number[] = [];

  beforeAll(async () => {
    // Streams up to 50 MiB with chunked encoding (no Content-Length), or stops short when asked.
    server = createHttpServer((request, response) => {
      const chunk = Buffer.alloc(64 * 1024, 1);
      if (request.url?.includes('torn')) {
        response.writeHead(200, { 'Content-Length': '100' });
        response.write(Buffer.alloc(50, 1));
        setTimeout(() => response.socket?.destroy(), 10);
        return;
      }
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      let written = 0;
      const pump = (): void => {
        while (written < 50 * MiB && !response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      response.on('close', () => sent.push(response.socket?.bytesWritten ?? written));
      pump();
    });
    port = await listen(server);
  });

  afterAll(async () => {
    await closeServer(server);
  });

  it('counts streamed bytes and stops the transfer as soon as the cap is passed', async () => {
    // Prepare
    const client = localS3Client(`http://127.0.0.1:${port}`);
    const store = new S3ObjectStore({ client });

    // Act
    const error = await caught(store.get({ bucket: BUCKET, key: 'chunked.tgz' }, { maxBytes: MiB }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    client.destroy();

    // Assess
    expect(error).toMatchObject({ code: 'OBJECT_TOO_LARGE', disposition: 'terminal' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeLessThan(10 * MiB);
  });

  it('treats a body cut short of its Content-Length as retryable, after the bounded retries', async () => {
    // Prepare
    const client = localS3Client(`http://127.0.0.1:${port}`);
    const clock: Clock = { now: () => new Date(), sleep: async () => undefined };
    const store = new S3ObjectStore({ client, clock, sizeRetry: { attempts: 2, delayMs: 1 } });

    // Act
    const error = await caught(
      store.get({ bucket: BUCKET, key: 'torn.tgz' }, { maxBytes: MiB, expectedSize: 100 }),
    );
    client.destroy();

    // Assess
    expect(error.retryable).toBe(true);
    expect(['OBJECT_STORE_UNAVAILABLE', 'OBJECT_SIZE_MISMATCH']).toContain(error.code);
  });
});
