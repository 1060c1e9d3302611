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

const takeEntry = async (state: State, header: Header, body: AsyncIterable<Uint8Array>): Promise<void> => {
  const { limits } = state;
  state.entries += 1;
  if (state.entries > limits.maxEntries) throw tooLarge(`archive has more than ${limits.maxEntries} entries`);
  const admitted = admit(state, header);
  if (admitted === undefined || admitted.kind === 'directory') {
    if (admitted !== undefined) state.directories.add(admitted.path);
    return drain(body);
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

const stopFrom = (error: unknown): Refusal => {
  if (error instanceof IntakeStop) return error.refusal;
  const detail = error instanceof Error ? error.message : String(error);
  return refusal('ARCHIVE_CORRUPT', `not a readable gzip-compressed tar archive: ${detail}`);
};

/**
 * Reads every entry of a (decompressed) tar stream into memory under the limits. Never throws for bad
 * content: a crossed limit or a broken stream ends reading with `stop`. A failing source (SourceError)
 * is rethrown, since retrying may help there.
 */
export const readTarEntries = async (
  tar: AsyncIterable<Uint8Array>,
  limits: IntakeLimits,
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
  let stop: Refusal | undefined;
  try {
    await feed(tar, extract);
  } catch (error) {
    if (error instanceof SourceError) throw error;
    stop = stopFrom(error);
  } finally {
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
