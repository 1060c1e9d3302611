import { IntakeStop } from './intake-stop';
import { type RefusalCode, refusal } from './refusal';
import {
  BLOCK,
  checksumMatches,
  cString,
  firstNonZero,
  headerNameEndsWithSlash,
  isZeroBlock,
  parseNumeric,
  parsePaxRecords,
  parsePaxSize,
} from './tar-header-fields';

/**
 * tar-stream (which reads the entries for us) and Go's archive/tar (which helm, and so `helm lint`,
 * `helm template` and Flux's helm-controller, read the chart with) disagree on a few corners of the
 * format. Where they disagree, what we check is not what helm renders, and what we commit was never
 * rendered. This walker steps through the decompressed tar stream's block structure as Go does,
 * ahead of tar-stream, and refuses every such corner before tar-stream sees the bytes:
 *
 * - anything after the end-of-archive marker: Go stops at two zero blocks (and fails on a zero
 *   block followed by a header), tar-stream reads on and would hand us entries helm never sees;
 * - header-only entries (links, devices, directories, FIFOs) that declare a data size: Go reads no
 *   data for them, tar-stream does for some and, for directories, hands out a body that never ends;
 * - a PAX global header that sets a path or size (tar-stream applies it to later entries, Go never),
 *   or that interrupts pending PAX/GNU records (Go drops them, tar-stream keeps them);
 * - both a PAX path and a GNU long name for one entry (Go takes the GNU name, tar-stream the PAX one);
 * - GNU sparse files (PAX `GNU.sparse.*`, old GNU 'S' with extension blocks) and the old GNU 'N'
 *   type: Go expands or renames what tar-stream hands over as plain data;
 * - PAX records or GNU long names over Go's 1 MiB limit (ARCHIVE_TOO_LARGE), malformed ones, and
 *   size or checksum fields Go would not parse.
 *
 * Reader: https://github.com/golang/go/blob/master/src/archive/tar/reader.go
 */

/** Go's maxSpecialFileSize: PAX records and GNU long names above it fail with ErrFieldTooLong. */
export const MAX_META_ENTRY_BYTES = 1024 * 1024;

/** Typeflags Go reads no data for, whatever the size field says (isHeaderOnlyType). */
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);
const META = new Set(['x', 'g', 'L', 'K']);
const GLOBAL_KEYS_APPLIED_BY_TAR_STREAM = ['path', 'linkpath', 'size'];

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

const stop = (code: RefusalCode, message: string): IntakeStop => new IntakeStop(refusal(code, message));

interface Meta {
  readonly type: string;
  readonly data: Uint8Array;
  filled: number;
}

/** Records of PAX 'x' and GNU 'L' entries waiting for the entry they describe. */
interface Pending {
  pax?: ReadonlyMap<string, string>;
  gnuName?: Uint8Array;
  gnuLink?: boolean;
}

const hasSparseRecords = (records: ReadonlyMap<string, string>): boolean =>
  [...records.keys()].some((key) => key.startsWith('GNU.sparse.'));

/** Walks one tar stream; `write` every chunk in order, before handing it to the tar reader. */
export class TarFramingWalker {
  /** Absolute offset in the tar stream of the next byte `write` will see. */
  private position = 0;
  private readonly header = new Uint8Array(BLOCK);
  private headerFilled = 0;
  private skip = 0;
  private meta: Meta | undefined;
  private pending: Pending = {};
  private ended = false;
  /** Offset of the header being read, for messages. */
  private headerOffset = 0;

  /**
   * Walks `chunk` and returns how many of its bytes the tar reader should get: all of them, until
   * the first zero block at a header position; after that block nothing (the rest must be zeros).
   */
  write(chunk: Uint8Array): number {
    if (this.ended) {
      this.checkZeros(chunk, 0);
      return 0;
    }
    let at = 0;
    while (at < chunk.byteLength) {
      if (this.skip > 0) {
        const step = Math.min(this.skip, chunk.byteLength - at);
        this.skip -= step;
        at += step;
        this.position += step;
      } else if (this.meta !== undefined) {
        at += this.fillMeta(this.meta, chunk, at);
      } else {
        at += this.fillHeader(chunk, at);
        if (this.ended) {
          this.checkZeros(chunk, at);
          return at;
        }
      }
    }
    return at;
  }

  /** Past the end-of-archive marker, only zero padding may follow (Go's reader stops reading). */
  private checkZeros(chunk: Uint8Array, from: number): void {
    const found = firstNonZero(chunk, from);
    if (found !== -1) {
      throw stop(
        'ARCHIVE_CORRUPT',
        `data after the end-of-archive marker (byte ${this.position + found - from}): helm would not read it`,
      );
    }
    this.position += chunk.byteLength - from;
  }

  private fillHeader(chunk: Uint8Array, at: number): number {
    const start = this.position;
    if (this.headerFilled === 0 && chunk.byteLength - at >= BLOCK) {
      this.position += BLOCK;
      this.onHeader(chunk.subarray(at, at + BLOCK), start);
      return BLOCK;
    }
    const step = Math.min(BLOCK - this.headerFilled, chunk.byteLength - at);
    this.header.set(chunk.subarray(at, at + step), this.headerFilled);
    this.headerFilled += step;
    this.position += step;
    if (this.headerFilled === BLOCK) {
      this.headerFilled = 0;
      this.onHeader(this.header, this.position - BLOCK);
    }
    return step;
  }

  private fillMeta(meta: Meta, chunk: Uint8Array, at: number): number {
    const step = Math.min(meta.data.byteLength - meta.filled, chunk.byteLength - at);
    meta.data.set(chunk.subarray(at, at + step), meta.filled);
    meta.filled += step;
    this.position += step;
    if (meta.filled === meta.data.byteLength) this.finishMeta(meta);
    return step;
  }

  private onHeader(block: Uint8Array, offset: number): void {
    if (isZeroBlock(block)) {
      this.ended = true;
      return;
    }
    this.headerOffset = offset;
    if (!checksumMatches(block)) throw stop('ARCHIVE_CORRUPT', `${this.where()} has a bad checksum`);
    const size = parseNumeric(block.subarray(124, 136));
    if (size === undefined) {
      throw stop('ARCHIVE_CORRUPT', `${this.where()} has a size field that is not a number`);
    }
    const type = String.fromCharCode(block[156] ?? 0);
    if (META.has(type)) {
      this.startMeta(type, size);
      return;
    }
    if (type === 'N') throw stop('UNSAFE_ENTRY', `${this.where()}: old GNU 'N' entries are not allowed`);
    if (type === 'S' && (block[482] ?? 0) !== 0) {
      throw stop('UNSAFE_ENTRY', `${this.where()}: GNU sparse files are not allowed`);
    }
    this.startEntry(block, type, size);
  }

  private where(): string {
    return `tar header at byte ${this.headerOffset}`;
  }

  private startMeta(type: string, size: number): void {
    if (size > MAX_META_ENTRY_BYTES) {
      throw stop(
        'ARCHIVE_TOO_LARGE',
        `${this.where()}: a ${size}-byte PAX or GNU long-name record is over helm's limit of ${MAX_META_ENTRY_BYTES} bytes`,
      );
    }
    if (type === 'g' && (this.pending.pax || this.pending.gnuName || this.pending.gnuLink)) {
      throw stop(
        'ARCHIVE_CORRUPT',
        `${this.where()}: a PAX global header between an entry and its own records`,
      );
    }
    const meta: Meta = { type, data: new Uint8Array(size), filled: 0 };
    if (size === 0) this.finishMeta(meta);
    else this.meta = meta;
  }

  private finishMeta(meta: Meta): void {
    this.meta = undefined;
    this.skip = padding(meta.data.byteLength);
    if (meta.type === 'L') this.pending.gnuName = cString(meta.data);
    else if (meta.type === 'K') this.pending.gnuLink = true;
    else this.takePax(meta.type, meta.data);
  }

  private takePax(type: string, data: Uint8Array): void {
    const records = parsePaxRecords(data);
    if (records === undefined) throw stop('ARCHIVE_CORRUPT', 'malformed PAX extended header');
    if (hasSparseRecords(records)) throw stop('UNSAFE_ENTRY', 'GNU sparse files are not allowed');
    if (type === 'g') {
      const applied = GLOBAL_KEYS_APPLIED_BY_TAR_STREAM.filter((key) => records.get(key));
      if (applied.length > 0) {
        throw stop(
          'ARCHIVE_CORRUPT',
          `PAX global header sets ${applied.join(', ')}: tar readers disagree on what it applies to`,
        );
      }
      return;
    }
    const size = records.get('size');
    if (size && parsePaxSize(size) === undefined) {
      throw stop('ARCHIVE_CORRUPT', 'PAX size record is not a non-negative number');
    }
    this.pending.pax = records;
  }

  private startEntry(block: Uint8Array, type: string, headerSize: number): void {
    const { pax, gnuName } = this.pending;
    if (pax !== undefined || gnuName !== undefined || this.pending.gnuLink) this.pending = {};
    const paxPath = pax?.get('path');
    const longName = gnuName !== undefined && gnuName.byteLength > 0 ? gnuName : undefined;
    if (paxPath && longName !== undefined) {
      throw stop(
        'ARCHIVE_CORRUPT',
        `${this.where()}: both a PAX path and a GNU long name (readers pick differently)`,
      );
    }
    const paxSize = pax?.get('size');
    const size = paxSize ? (parsePaxSize(paxSize) ?? 0) : headerSize;
    if (
      size !== 0 &&
      (HEADER_ONLY.has(type) || (type === '\0' && namedLikeDirectory(block, paxPath, longName)))
    ) {
      throw stop(
        'ARCHIVE_CORRUPT',
        `${this.where()}: a link, device or directory entry declares ${size} bytes of data (readers disagree on where the next entry starts)`,
      );
    }
    this.skip = size + padding(size);
  }
}

/** Go reads a typeflag-NUL entry whose final name ends with '/' as a directory (header-only). */
const namedLikeDirectory = (
  block: Uint8Array,
  paxPath: string | undefined,
  longName: Uint8Array | undefined,
) => {
  if (longName !== undefined) return longName[longName.byteLength - 1] === 0x2f;
  if (paxPath) return paxPath.endsWith('/');
  return headerNameEndsWithSlash(block);
};

/**
 * Passes the tar stream through, walking its framing (see above), up to and including the first
 * zero block: tar-stream then stops where Go stops. Throws IntakeStop for a refused framing; reads
 * the stream to its end either way (the archive digest needs every byte).
 */
export async function* checkTarFraming(tar: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const walker = new TarFramingWalker();
  for await (const chunk of tar) {
    const keep = walker.write(chunk);
    if (keep === chunk.byteLength) yield chunk;
    else if (keep > 0) yield chunk.subarray(0, keep);
  }
}
