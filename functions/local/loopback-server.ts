import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP server listening on 127.0.0.1. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops open (keep-alive) connections, so the process can exit. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (port 0 picks a free one); rejects when the port is taken. */
export const listenOnLoopback = async (server: Server, port = 0): Promise<LoopbackServer> => {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    port: address.port,
    close: async () => {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closing;
    },
  };
};
