import { randomBytes } from 'node:crypto';
import type { IntakeLimits } from '../../../functions/chart/chart';
import type { RefusalCode } from '../../../functions/chart/refusal';
import { buildArchive, chartEntries, type TarEntrySpec } from '../tar-fixtures';

/**
 * One input of the hostile-archive corpus and what intake must make of it. Every case says in
 * advance what the right answer is; the oracles in hostile-archives.test.ts hold intake to it.
 */
export type Expectation =
  /** Accepted; when given, the chart's name/version/file list must be exactly these. */
  | {
      readonly accept: true;
      readonly name?: string;
      readonly version?: string;
      readonly files?: readonly string[];
    }
  /** Refused, the first refusal carrying `refuse`; every code of `includes` among the refusals. */
  | { readonly refuse: RefusalCode; readonly includes?: readonly RefusalCode[] }
  /**
   * Fuzzed input: refused with any documented code, or accepted with exactly the original's files
   * (byte for byte): a mutation is either caught or harmless, never half-read.
   */
  | { readonly refusedOrIdentical: string }
  /**
   * Fuzzed input whose checksums were repaired (the tar is well formed, its meaning changed):
   * refused with any documented code, or accepted with every path safe by an independent check.
   */
  | { readonly refusedOrSafe: true };

export type CaseGroup = 'refusal' | 'combination' | 'tar-edge' | 'valid' | 'fixture-mutation' | 'fuzz';

export interface HostileCase {
  readonly id: string;
  readonly group: CaseGroup;
  /** Built lazily (bombs are generated while read). */
  readonly input: () =>
    | Promise<Uint8Array | AsyncIterable<Uint8Array>>
    | Uint8Array
    | AsyncIterable<Uint8Array>;
  readonly limits?: Partial<IntakeLimits>;
  /** Also run helm lint + template (RENDER_FAILED cases, and a few valid ones). */
  readonly render?: boolean;
  readonly expect: Expectation;
}

/**
 * A marker that every path-escape attempt of the corpus carries in its file name: after the corpus
 * ran, no file system entry anywhere we can look may contain it.
 */
export const ESCAPE_MARKER = `cprel${randomBytes(6).toString('hex')}`;

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

export const refuse = (code: RefusalCode, ...includes: RefusalCode[]): Expectation =>
  includes.length > 0 ? { refuse: code, includes } : { refuse: code };

export const accept = (name?: string, version?: string): Expectation => ({
  accept: true,
  ...(name === undefined ? {} : { name }),
  ...(version === undefined ? {} : { version }),
});

/** A small valid chart `demo` 1.0.0 with `extra` files (relative to the chart root; null removes). */
export const demoEntries = (
  extra: Readonly<Record<string, string | Uint8Array | null>> = {},
  options: Parameters<typeof chartEntries>[3] = {},
  name = 'demo',
  version = '1.0.0',
): TarEntrySpec[] => chartEntries(name, version, extra, options);

export const demoArchive = (
  extra: Readonly<Record<string, string | Uint8Array | null>> = {},
  options: Parameters<typeof chartEntries>[3] = {},
): Promise<Uint8Array> => buildArchive(demoEntries(extra, options));

/** Chart.yaml text with the given fields (YAML written as given). */
export const chartYaml = (fields: Readonly<Record<string, string>>): string =>
  Object.entries({ apiVersion: 'v2', name: 'demo', version: '1.0.0', ...fields })
    .map(([key, value]) => `${key}: ${value}\n`)
    .join('');

/** Deterministic PRNG (mulberry32): the corpus is the same on every run, so a failure reproduces. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** The demo chart plus `extra` raw entries (hostile names, types, duplicates). */
export const withEntries =
  (...extra: TarEntrySpec[]) =>
  () =>
    buildArchive([...demoEntries(), ...extra]);

/** The demo chart with files added, replaced or (null) removed. */
export const demoWith = (files: Record<string, string | Uint8Array | null>) => () => demoArchive(files);
