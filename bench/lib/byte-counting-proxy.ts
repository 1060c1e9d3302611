import type { AddressInfo } from 'node:net';
import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of a local server, counting every byte each way (HTTP headers,
 * bodies, chunk framing: what a network link would carry). The same meter for the GitHub API path,
 * the plain-git path and the clone baseline, so their byte figures compare like for like.
 */

export interface ByteCounts {
  /** Client → server. */
  sent: number;
  /** Server → client. */
  received: number;
  connections: number;
}

export interface ByteCountingProxy {
  /** `http://127.0.0.1:<proxy port>`: use it in place of the upstream origin. */
  readonly origin: string;
  counts(): ByteCounts;
  reset(): void;
  close(): Promise<void>;
}

export const startByteCountingProxy = async (upstreamOrigin: string): Promise<ByteCountingProxy> => {
  const upstream = new URL(upstreamOrigin);
  if (upstream.hostname !== '127.0.0.1') throw new Error(`127.0.0.1 only, not ${upstream.hostname}`);
  let counts: ByteCounts = { sent: 0, received: 0, connections: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    counts.connections++;
    const target = createConnection({ host: '127.0.0.1', port: Number(upstream.port) });
    for (const socket of [client, target]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        target.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      counts.sent += chunk.byteLength;
    });
    target.on('data', (chunk: Buffer) => {
      counts.received += chunk.byteLength;
    });
    client.pipe(target);
    target.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    reset: () => {
      counts = { sent: 0, received: 0, connections: 0 };
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
