import { extract as createExtract, type Header } from 'tar-stream';
import type { IntakeLimits } from './chart';
import { IntakeStop, SourceError } from './intake-stop';
import { PathRegistry } from './path-registry';
import { type Refusal, refusal } from './refusal';
import { checkEntryPath, type EntryKind, printablePath } from './safe-path';

/** What the tar stream held, by archive path (top-level directory included). */
export interface TarEntries {
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly directories: ReadonlySet<string>;
  /** Entry-level refusals (unsafe names and types), collected while reading on. */
  readonly refusals: readonly Refusal[];
  /** Set when reading stopped: a limit was crossed or the stream is not a readable tar.gz. */
  readonly stop?: Refusal;
  readonly fileBytes: number;
}

/** Enough to show the pattern of a hostile archive without building a huge report. */
const MAX_REFUSALS = 50;

interface State {
  readonly limits: IntakeLimits;
  readonly registry: PathRegistry;
  readonly files: Map<string, Uint8Array>;
  readonly directories: Set<string>;
  readonly refusals: Refusal[];
  entries: number;
  fileBytes: number;
}

const tooLarge = (message: string, path?: string): IntakeStop =>
  new IntakeStop(refusal('ARCHIVE_TOO_LARGE', message, path));

/**
 * PAX and GNU long-name records never reach us: tar-stream folds them into the next header. An unknown
 * typeflag arrives as `null` (the typings omit that case).
 */
const kindOf = (type: Header['type'] | null): EntryKind | undefined => {
  if (type === 'file' || type === 'contiguous-file') return 'file';
  if (type === 'directory') return 'directory';
  return undefined;
};

const drain = async (body: AsyncIterable<unknown>): Promise<void> => {
  for await (const _ of body) {
    // discard
  }
};

const readBody = async (body: AsyncIterable<Uint8Array>, size: number): Promise<Uint8Array> => {
  const data = new Uint8Array(size);
  let offset = 0;
  for await (const chunk of body) {
    data.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return data;
};

const note = (state: State, found: Refusal): void => {
  if (state.refusals.length < MAX_REFUSALS) state.refusals.push(found);
};

/** Admits the entry's name and type, or notes why not; returns the safe path when admitted. */
const admit = (state: State, header: Header): { path: string; kind: EntryKind } | undefined => {
  const kind = kindOf(header.type);
  if (kind === undefined) {
    note(
      state,
      refusal(
        'UNSAFE_ENTRY',
        `entry of type ${header.type ?? 'unknown'} is not allowed: only files and directories`,
        printablePath(header.name),
      ),
    );
    return undefined;
  }
  const checked = checkEntryPath(header.name, kind);
  if (!checked.ok) {
    note(state, checked.refusal);
    return undefined;
  }
  const clash = state.registry.add(checked.path, checked.segments, kind);
  if (clash !== undefined) {
    note(state, clash);
    return undefined;
  }
  return { path: checked.path, kind };
};

/**
 * tar-stream hands out a body for a directory that it never feeds nor ends when the size field is
 * not 0 (extract.js only ends bodies of size 0, and only feeds non-directories): waiting on it would
 * hang. Such a header is also ambiguous between tar readers (Go reads no data for a directory, a
 * reader that honours the size field skips it), so it is refused as a corrupt archive (tar-framing.ts
 * refuses it first, as helm would read it), and directory bodies are never awaited.
 */
const checkDirectorySize = (header: Header): void => {
  const size = header.size ?? 0;
  if (header.type !== 'directory' || size === 0) return;
  throw new IntakeStop(
    refusal(
      'ARCHIVE_CORRUPT',
      `directory entry declares ${size} bytes of data (tar readers disagree on where the next entry starts)`,
      printablePath(header.name),
    ),
  );
};

const takeEntry = async (state: State, header: Header, body: AsyncIterable<Uint8Array>): Promise<void> => {
  const { limits } = state;
  state.entries += 1;
  if (state.entries > limits.maxEntries) throw tooLarge(`archive has more than ${limits.maxEntries} entries`);
  checkDirectorySize(header);
  const admitted = admit(state, header);
  if (admitted === undefined || admitted.kind === 'directory') {
    if (admitted !== undefined) state.directories.add(admitted.path);
    // A directory's body is empty and already ended (size 0, checked above): nothing to wait for.
    return header.type === 'directory' ? undefined : drain(body);
  }
  const size = header.size ?? 0;
  if (size > limits.maxFileBytes) {
    throw tooLarge(`file is ${size} bytes, over the limit of ${limits.maxFileBytes}`, admitted.path);
  }
  if (state.fileBytes + size > limits.maxDecompressedBytes) {
    throw tooLarge(`files add up to more than ${limits.maxDecompressedBytes} bytes`, admitted.path);
  }
  state.fileBytes += size;
  state.files.set(admitted.path, await readBody(body, size));
};

/** Writes the tar stream into tar-stream's extractor, honouring its backpressure and its errors. */
const feed = async (
  tar: AsyncIterable<Uint8Array>,
  extract: ReturnType<typeof createExtract>,
): Promise<void> => {
  let failed: (error: unknown) => void = () => {};
  const failure = new Promise<never>((_, reject) => {
    failed = reject;
  });
  failure.catch(() => {});
  extract.on('error', (error: unknown) => failed(error));
  extract.on('close', () => failed(new Error('tar extraction stopped')));
  const finished = new Promise<void>((resolve) => extract.once('finish', () => resolve()));
  for await (const chunk of tar) {
    if (!extract.write(chunk)) {
      await Promise.race([new Promise<void>((resolve) => extract.once('drain', () => resolve())), failure]);
    }
  }
  extract.end(undefined);
  await Promise.race([finished, failure]);
};

/** tar-stream's message for a PAX/GNU record over its 4 MiB cap (extract.js MAX_HEADER_SIZE). */
const TAR_STREAM_HEADER_TOO_LARGE = 'Header exceeds max size';

const stopFrom = (error: unknown): Refusal => {
  if (error instanceof IntakeStop) return error.refusal;
  const detail = error instanceof Error ? error.message : String(error);
  // tar-framing.ts refuses records over Go's 1 MiB first; this keeps the code right without it.
  if (detail === TAR_STREAM_HEADER_TOO_LARGE) {
    return refusal('ARCHIVE_TOO_LARGE', 'a PAX or GNU long-name record is over 4 MiB');
  }
  return refusal('ARCHIVE_CORRUPT', `not a readable gzip-compressed tar archive: ${detail}`);
};

/**
 * Reads every entry of a (decompressed) tar stream into memory under the limits. Never throws for bad
 * content: a crossed limit or a broken stream ends reading with `stop`. A failing source (SourceError)
 * is rethrown, since retrying may help there, and so is the reason of an aborted `signal`.
 */
export const readTarEntries = async (
  tar: AsyncIterable<Uint8Array>,
  limits: IntakeLimits,
  signal?: AbortSignal,
): Promise<TarEntries> => {
  const state: State = {
    limits,
    registry: new PathRegistry(),
    files: new Map(),
    directories: new Set(),
    refusals: [],
    entries: 0,
    fileBytes: 0,
  };
  const extract = createExtract();
  extract.on('entry', (header, body, next) => {
    // When we stop mid-entry, tar-stream destroys the body with our error; its failure is already ours.
    body.on('error', () => {});
    takeEntry(state, header, body as unknown as AsyncIterable<Uint8Array>).then(
      () => next(),
      (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
    );
  });
  // The intake deadline (intake-deadline.ts) tears the extractor down, so nothing waits on it after.
  const abort = () => extract.destroy(signal?.reason);
  signal?.addEventListener('abort', abort, { once: true });
  let stop: Refusal | undefined;
  try {
    await feed(tar, extract);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof SourceError) throw error;
    stop = stopFrom(error);
  } finally {
    signal?.removeEventListener('abort', abort);
    extract.destroy();
  }
  const read = {
    files: state.files,
    directories: state.directories,
    refusals: state.refusals,
    fileBytes: state.fileBytes,
  };
  return stop === undefined ? read : { ...read, stop };
};
