import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { IntakeStop } from './intake-stop';
import { refusal } from './refusal';

/**
 * zlib's output chunk. Node's zlib stream pushes each full chunk and, when its reader has not taken
 * it yet (a chunk this size is always over the readable high-water mark), inflates no further until
 * the next read (`processCallback` in https://github.com/nodejs/node/blob/v22.x/lib/zlib.js): the
 * counter below sees every chunk before the next is made, so a bomb inflates at most about one chunk
 * past the limit, however large the compressed write. Profiled on the 50 MiB bench chart, zlib's
 * 16 KiB default cost ~30% more CPU time (a threadpool round trip, an allocation and a hop through
 * every stream stage per chunk).
 */
const INFLATE_CHUNK = 1024 * 1024;

/**
 * Inflates a gzip stream, counting what comes out, and throws ARCHIVE_TOO_LARGE the moment the total
 * passes `maxBytes`. Leaving the loop destroys gunzip and the source, so a 10 GB bomb costs us only
 * the first ~`maxBytes` of inflation, never the whole stream. Helm's own loader caps the same way:
 * https://github.com/helm/helm/blob/main/pkg/chart/loader/archive.go (MaxDecompressedChartSize).
 */
export async function* gunzipLimited(
  compressed: AsyncIterable<Uint8Array>,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  // highWaterMark 1: read no further ahead of zlib than needed, so a refused stream stops early.
  const source = Readable.from(compressed, { objectMode: true, highWaterMark: 1 });
  const gunzip = pipeline(source, createGunzip({ chunkSize: INFLATE_CHUNK }), () => {
    // Errors surface through the iteration below; pipeline only needs to tear both streams down.
  });
  let total = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        throw new IntakeStop(
          refusal(
            'ARCHIVE_TOO_LARGE',
            `archive inflates to more than ${maxBytes} bytes (the decompressed limit plus tar framing)`,
          ),
        );
      }
      yield chunk;
    }
  } finally {
    gunzip.destroy();
    source.destroy();
  }
}
