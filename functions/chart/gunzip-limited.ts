import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { IntakeStop } from './intake-stop';
import { refusal } from './refusal';

/**
 * zlib's output buffer. Node's zlib stream fills one buffer of this size across writes, pushing each
 * write's output as a slice of it, and, when its reader has not taken a pushed slice yet (this is
 * over the readable high-water mark), inflates no further until the next read (`processCallback` in
 * https://github.com/nodejs/node/blob/v22.x/lib/zlib.js): the counter below sees every slice before
 * the next is made, so a bomb inflates at most about one buffer past the limit, however large the
 * compressed write. Profiled on the 50 MiB bench chart: zlib's 16 KiB default cost ~30% more CPU
 * time (a threadpool round trip, an allocation and a hop through every stream stage per 16 KiB);
 * 4 MiB rather than 1 MiB lets most file bodies lie in one buffer, where tar-entries.ts keeps them
 * without a copy (fewer bytes allocated, less GC).
 */
const INFLATE_CHUNK = 4 * 1024 * 1024;

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
