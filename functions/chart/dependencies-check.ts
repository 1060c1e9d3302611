import type { ChartDependency } from './chart';
import { type ChartMetadata, checkChartYaml, parseDependencies } from './chart-metadata';
import { type Refusal, refusal } from './refusal';
import { parseYamlMap } from './yaml-map';

/** Reads a vendored `charts/*.tgz` as a chart; gives its name or why it is not one. */
export type SubchartArchiveReader = (
  archive: Uint8Array,
  path: string,
) => Promise<
  { readonly ok: true; readonly name: string } | { readonly ok: false; readonly refusals: readonly Refusal[] }
>;

/** One `charts/<entry>` group, as Helm's loader groups them (pkg/chart/loader/load.go). */
interface Vendored {
  readonly entry: string;
  readonly files: Map<string, Uint8Array>;
}

/**
 * Helm's loader skips `charts/` entries whose name starts with `_` or `.` (a `.gitkeep`, a parked
 * `_old/` subchart): helm v3.17.2 pkg/chart/loader/load.go, lines 168-173,
 * `case strings.IndexAny(n, "_.") == 0: continue`
 * https://github.com/helm/helm/blob/v3.17.2/pkg/chart/loader/load.go#L168-L173
 * They stay files of the chart (committed as uploaded); every other intake check still applies.
 */
const skippedByHelm = (entry: string): boolean => entry.startsWith('_') || entry.startsWith('.');

const groupVendored = (files: ReadonlyMap<string, Uint8Array>): Vendored[] => {
  const groups = new Map<string, Vendored>();
  for (const [path, data] of files) {
    const [top, entry, ...rest] = path.split('/');
    if (top !== 'charts' || entry === undefined || entry.endsWith('.prov') || skippedByHelm(entry)) continue;
    const group = groups.get(entry) ?? { entry, files: new Map() };
    group.files.set(rest.join('/'), data);
    groups.set(entry, group);
  }
  return [...groups.values()];
};

/** The vendored chart's name, from its own Chart.yaml, which is how Helm matches dependencies. */
const vendoredName = async (
  group: Vendored,
  readArchive: SubchartArchiveReader,
): Promise<{ name?: string; refusals: readonly Refusal[] }> => {
  const asFile = group.files.get('');
  if (asFile !== undefined && group.entry.endsWith('.tgz')) {
    const read = await readArchive(asFile, `charts/${group.entry}`);
    return read.ok ? { name: read.name, refusals: [] } : { refusals: read.refusals };
  }
  // Anything else under charts/ is loaded by Helm as an unpacked chart and must have a Chart.yaml.
  const checked = checkChartYaml(group.files.get('Chart.yaml'), `charts/${group.entry}/Chart.yaml`);
  return checked.ok ? { name: checked.metadata.name, refusals: [] } : { refusals: checked.refusals };
};

/**
 * apiVersion v2 lists dependencies in Chart.yaml; v1 in requirements.yaml (Helm 3 still reads it:
 * https://helm.sh/docs/topics/charts/#the-apiversion-field).
 */
const declaredDependencies = (
  metadata: ChartMetadata,
  files: ReadonlyMap<string, Uint8Array>,
): { dependencies: readonly ChartDependency[]; source: string; refusals: Refusal[] } => {
  const requirements = files.get('requirements.yaml');
  if (metadata.apiVersion !== 'v1' || requirements === undefined) {
    return { dependencies: metadata.dependencies, source: 'Chart.yaml', refusals: [] };
  }
  const parsed = parseYamlMap(requirements);
  if (!parsed.ok) {
    return {
      dependencies: [],
      source: 'requirements.yaml',
      refusals: [refusal('CHART_YAML_INVALID', `requirements.yaml ${parsed.reason}`, 'requirements.yaml')],
    };
  }
  const problems: string[] = [];
  const dependencies = parseDependencies(parsed.value?.dependencies, problems);
  const refusals = problems.map((problem) =>
    refusal('CHART_YAML_INVALID', `requirements.yaml: ${problem}`, 'requirements.yaml'),
  );
  return { dependencies, source: 'requirements.yaml', refusals };
};

/**
 * Every declared dependency must be vendored under charts/, as a directory or a .tgz. Like Helm's
 * CheckDependencies (pkg/action/install.go), a dependency matches a vendored chart by the chart's own
 * `name`; an `alias` only renames it after loading, and a `condition` does not make it optional.
 * Vendored charts are checked for a valid Chart.yaml (Helm cannot load the parent otherwise).
 */
export const checkDependencies = async (
  metadata: ChartMetadata,
  files: ReadonlyMap<string, Uint8Array>,
  readArchive: SubchartArchiveReader,
): Promise<Refusal[]> => {
  const declared = declaredDependencies(metadata, files);
  const refusals: Refusal[] = [...declared.refusals];
  const vendored = new Set<string>();
  for (const group of groupVendored(files)) {
    const found = await vendoredName(group, readArchive);
    refusals.push(...found.refusals);
    if (found.name !== undefined) vendored.add(found.name);
  }
  for (const dependency of declared.dependencies) {
    if (vendored.has(dependency.name)) continue;
    const version = dependency.version === undefined ? '' : ` ${dependency.version}`;
    refusals.push(
      refusal(
        'CHART_DEPENDENCY_MISSING',
        `dependency ${dependency.name}${version} is declared in ${declared.source} but not vendored under charts/ (run "helm dependency build" before "helm package")`,
        declared.source,
      ),
    );
  }
  return refusals;
};
