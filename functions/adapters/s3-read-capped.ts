/** The outcome of reading a body with a byte cap. */
export type CappedRead =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly received: number };

interface Destroyable {
  destroy?: (error?: Error) => void;
  cancel?: () => Promise<void>;
}

const isAsyncIterable = (body: unknown): body is AsyncIterable<Uint8Array> =>
  typeof body === 'object' && body !== null && Symbol.asyncIterator in body;

const stop = (body: unknown): void => {
  const target = body as Destroyable;
  if (typeof target.destroy === 'function') target.destroy();
  else if (typeof target.cancel === 'function') void target.cancel().catch(() => undefined);
};

/**
 * Reads a GetObject body (a Node Readable in Lambda) counting bytes as they arrive, and stops the
 * transfer as soon as the count passes `maxBytes`: a missing or lying Content-Length must not make
 * us download (and hold in memory) more than the cap. Destroying the stream closes the socket.
 */
export const readCapped = async (body: unknown, maxBytes: number): Promise<CappedRead> => {
  if (body === undefined || body === null) return { ok: true, bytes: new Uint8Array(0) };
  const source: AsyncIterable<Uint8Array> = isAsyncIterable(body)
    ? body
    : (body as { stream(): ReadableStream<Uint8Array> }).stream();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of source) {
    received += chunk.byteLength;
    if (received > maxBytes) {
      stop(body);
      return { ok: false, received };
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
};
