import { tapArchive } from './archive-tap';
import type { Chart, ChartFile, ChartIdentity, IntakeLimits, IntakeResult } from './chart';
import { chartLayout } from './chart-layout';
import { type ChartMetadata, checkChartYaml, checkInstallable } from './chart-metadata';
import { checkDependencies, type SubchartArchiveReader } from './dependencies-check';
import { gunzipLimited } from './gunzip-limited';
import { DEFAULT_INTAKE_DURATION_MS, withIntakeDeadline } from './intake-deadline';
import { resolveLimits, tarFramingAllowance } from './intake-limits';
import { SourceError } from './intake-stop';
import { type Refusal, refusal } from './refusal';
import { readTarEntries } from './tar-entries';
import { checkTarFraming } from './tar-framing';
import { checkValues, checkValuesYaml } from './values-check';

/** `chart`: the uploaded chart, fully checked. `subchart`: a vendored charts/*.tgz, checked for shape only. */
type Role = 'chart' | 'subchart';

export interface ArchiveInspection {
  readonly result: IntakeResult;
  /** The archive bytes exactly as received, when `keepArchive` was asked for and reading finished. */
  readonly archive?: Uint8Array;
}

interface InspectOptions {
  readonly keepArchive: boolean;
  readonly role: Role;
}

/** Inside the deadline: its signal reaches every (nested) archive read. */
interface ReadOptions extends InspectOptions {
  readonly signal: AbortSignal;
}

const refused = (refusals: readonly Refusal[], identity?: ChartIdentity): IntakeResult =>
  identity === undefined ? { ok: false, refusals } : { ok: false, refusals, identity };

const sortedFiles = (files: ReadonlyMap<string, Uint8Array>): ChartFile[] =>
  [...files]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, data]) => ({ path, size: data.byteLength, data }));

/** Nested archives are read with what is left of the decompressed budget, and never recurse further. */
const subchartReader = (limits: IntakeLimits, used: number, signal: AbortSignal): SubchartArchiveReader => {
  let remaining = Math.max(1, limits.maxDecompressedBytes - used);
  return async (archive, path) => {
    const nested = {
      ...limits,
      maxDecompressedBytes: remaining,
      maxArchiveBytes: Math.max(1, archive.byteLength),
    };
    const { result } = await inspect(archive, nested, { keepArchive: false, role: 'subchart', signal });
    if (result.ok) {
      remaining = Math.max(1, remaining - result.chart.bytes);
      return { ok: true, name: result.chart.name };
    }
    return {
      ok: false,
      refusals: result.refusals.map((found) =>
        refusal(
          found.code,
          `${path}: ${found.message}${found.path === undefined ? '' : ` (${found.path})`}`,
          path,
        ),
      ),
    };
  };
};

/** The chart-level checks, run once the archive is known to be a safe single-directory tree. */
const checkChart = async (
  root: string,
  files: ReadonlyMap<string, Uint8Array>,
  context: { limits: IntakeLimits; role: Role; fileBytes: number; signal: AbortSignal },
): Promise<{ metadata?: ChartMetadata; refusals: Refusal[] }> => {
  const checked = checkChartYaml(files.get('Chart.yaml'));
  const refusals: Refusal[] = checked.ok ? [] : [...checked.refusals];
  if (checked.ok && checked.metadata.name !== root) {
    refusals.push(
      refusal(
        'CHART_NAME_INVALID',
        `top-level directory ${JSON.stringify(root)} differs from the chart name ${JSON.stringify(checked.metadata.name)}`,
        root,
      ),
    );
  }
  if (context.role === 'subchart') {
    refusals.push(...checkValuesYaml(files.get('values.yaml')));
    return checked.ok ? { metadata: checked.metadata, refusals } : { refusals };
  }
  refusals.push(...(await checkValues(files.get('values.yaml'), files.get('values.schema.json'))));
  if (!checked.ok) return { refusals };
  refusals.push(...checkInstallable(checked.metadata));
  const readSubchart = subchartReader(context.limits, context.fileBytes, context.signal);
  refusals.push(...(await checkDependencies(checked.metadata, files, readSubchart)));
  return { metadata: checked.metadata, refusals };
};

const toChart = (
  metadata: ChartMetadata,
  files: ReadonlyMap<string, Uint8Array>,
  digest: string,
  archiveBytes: number,
  bytes: number,
): Chart => ({
  ...metadata,
  digest,
  archiveBytes,
  bytes,
  files: sortedFiles(files),
});

/**
 * Streams the archive once: hash and count the compressed bytes, inflate under a byte cap, walk the
 * tar framing as helm's reader does (stopping where it stops), read the tar entries under the
 * entry/file/total limits, then check the chart.
 */
const inspect = async (
  input: Uint8Array | AsyncIterable<Uint8Array>,
  limits: IntakeLimits,
  options: ReadOptions,
): Promise<ArchiveInspection> => {
  const tap = tapArchive(input, limits.maxArchiveBytes, options.keepArchive);
  const rawLimit = limits.maxDecompressedBytes + tarFramingAllowance(limits);
  const tar = checkTarFraming(gunzipLimited(tap.chunks, rawLimit));
  const entries = await readTarEntries(tar, limits, options.signal).catch((error: unknown) => {
    throw error instanceof SourceError ? (error.cause ?? error) : error;
  });
  if (entries.stop !== undefined) return { result: refused([...entries.refusals, entries.stop]) };
  if (entries.refusals.length > 0) return { result: refused(entries.refusals) };
  const layout = chartLayout(entries);
  if (!layout.ok) return { result: refused(layout.refusals) };
  const context = { limits, role: options.role, fileBytes: entries.fileBytes, signal: options.signal };
  const { metadata, refusals } = await checkChart(layout.root, layout.files, context);
  if (metadata === undefined) return { result: refused(refusals) };
  if (refusals.length > 0)
    return { result: refused(refusals, { name: metadata.name, version: metadata.version }) };
  const digest = tap.digest();
  // Defensive: zlib and tar-stream read to the end today; a digest of part of the upload would lie.
  if (digest === undefined)
    return { result: refused([refusal('ARCHIVE_CORRUPT', 'archive was not read to its end')]) };
  const chart = toChart(metadata, layout.files, digest, tap.bytes(), entries.fileBytes);
  const archive = tap.archive();
  return archive === undefined ? { result: { ok: true, chart } } : { result: { ok: true, chart }, archive };
};

/**
 * `inspect` under the intake deadline (`limits.maxDurationMs`). Throws only when the input iterable
 * itself fails (an I/O error) or the deadline passes (PromoterError INTAKE_TIMEOUT), both retryable;
 * every property of the bytes is a refusal.
 */
export const inspectChartArchive = (
  input: Uint8Array | AsyncIterable<Uint8Array>,
  limits: IntakeLimits,
  options: InspectOptions,
): Promise<ArchiveInspection> =>
  withIntakeDeadline(limits.maxDurationMs ?? DEFAULT_INTAKE_DURATION_MS, (signal) =>
    inspect(input, limits, { ...options, signal }),
  );

/**
 * Decides whether an uploaded archive is a Helm chart that may go near a cluster. Keeps everything in
 * memory, writes nothing. Never throws for bad input: every problem is a refusal with a stable code
 * (see refusal.ts). It throws only if `input` itself fails while being read, or intake runs past its
 * deadline (PromoterError INTAKE_TIMEOUT): both retryable.
 */
export const readChartArchive = async (
  input: Uint8Array | AsyncIterable<Uint8Array>,
  limits?: Partial<IntakeLimits>,
): Promise<IntakeResult> =>
  (await inspectChartArchive(input, resolveLimits(limits), { keepArchive: false, role: 'chart' })).result;
