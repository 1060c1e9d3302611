import { parse as parseSemver } from 'semver';
import type { ChartDependency } from './chart';
import { type Refusal, refusal } from './refusal';
import { parseYamlMap } from './yaml-map';

export interface ChartMetadata {
  readonly name: string;
  readonly version: string;
  readonly apiVersion: 'v1' | 'v2';
  readonly type: 'application' | 'library';
  readonly appVersion?: string;
  readonly description?: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly dependencies: readonly ChartDependency[];
}

export type MetadataCheck =
  | { readonly ok: true; readonly metadata: ChartMetadata }
  | { readonly ok: false; readonly refusals: readonly Refusal[] };

/**
 * Helm lint's rule (pkg/lint/rules/chartfile.go validChartNameChecker: `^[a-z0-9-]+$`), tightened to a
 * DNS label: no leading or trailing dash, at most 63 characters, because the name becomes a directory
 * of the cluster repository and the name of a Flux HelmRelease.
 */
const CHART_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_CHART_NAME_LENGTH = 63;

/** Helm's dependency alias rule (pkg/chart/dependency.go aliasNameFormat). */
const ALIAS_NAME = /^[a-zA-Z0-9_-]+$/;

export const chartNameProblem = (name: string): string | undefined => {
  if (name.length > MAX_CHART_NAME_LENGTH) return `is longer than ${MAX_CHART_NAME_LENGTH} characters`;
  if (!CHART_NAME.test(name)) return 'must be lowercase letters, digits and inner dashes';
  return undefined;
};

/**
 * SemVer 2 in strict form (https://semver.org): no `v` prefix, no leading zeros, no surrounding spaces.
 * Helm's loader accepts looser forms (Masterminds NewVersion), but its docs require SemVer 2, and the
 * version becomes a path (`charts/<name>/<version>/`), so only the canonical spelling passes.
 */
export const isStrictSemver = (version: string): boolean =>
  /^[0-9]/.test(version) && !/\s/.test(version) && parseSemver(version, { loose: false }) !== null;

const optionalString = (map: Readonly<Record<string, unknown>>, key: string): string | undefined | null => {
  const value = map[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : null;
};

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const parseAnnotations = (value: unknown, problems: string[]): Record<string, string> => {
  if (value === undefined || value === null) return {};
  if (!isMap(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    problems.push('annotations must be a map of strings');
    return {};
  }
  return value as Record<string, string>;
};

const DEPENDENCY_FIELDS = ['version', 'repository', 'condition', 'alias'] as const;

const parseDependency = (value: unknown, index: number, problems: string[]): ChartDependency | undefined => {
  const name = isMap(value) ? value.name : undefined;
  if (!isMap(value) || typeof name !== 'string' || name === '') {
    problems.push(`dependencies[${index}] must be a map with a name`);
    return undefined;
  }
  const dependency: Record<string, string> = { name };
  for (const field of DEPENDENCY_FIELDS) {
    const text = optionalString(value, field);
    if (text === null) problems.push(`dependencies[${index}].${field} must be a string`);
    else if (text !== undefined && text !== '') dependency[field] = text;
  }
  if (dependency.alias !== undefined && !ALIAS_NAME.test(dependency.alias)) {
    problems.push(`dependency ${JSON.stringify(name)} has disallowed characters in its alias`);
  }
  return dependency as unknown as ChartDependency;
};

/** Dependencies as Helm validates them (pkg/chart/metadata.go): named, and unique by name or alias. */
export const parseDependencies = (value: unknown, problems: string[]): ChartDependency[] => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push('dependencies must be a list');
    return [];
  }
  const parsed = value.flatMap((item, index) => parseDependency(item, index, problems) ?? []);
  const keys = new Set<string>();
  for (const dependency of parsed) {
    const key = dependency.alias ?? dependency.name;
    if (keys.has(key)) problems.push(`more than one dependency with name or alias ${JSON.stringify(key)}`);
    keys.add(key);
  }
  return parsed;
};

interface Fields {
  readonly problems: string[];
  readonly refusals: Refusal[];
  readonly path: string;
}

const readApiVersion = (map: Readonly<Record<string, unknown>>, f: Fields): 'v1' | 'v2' => {
  const apiVersion = map.apiVersion;
  if (apiVersion !== 'v1' && apiVersion !== 'v2') f.problems.push('apiVersion must be "v1" or "v2"');
  return apiVersion === 'v1' ? 'v1' : 'v2';
};

const readName = (map: Readonly<Record<string, unknown>>, f: Fields): string => {
  const name = map.name;
  if (typeof name !== 'string' || name === '') {
    f.problems.push('name is required and must be a string');
    return '';
  }
  const problem = chartNameProblem(name);
  if (problem !== undefined) {
    f.refusals.push(refusal('CHART_NAME_INVALID', `chart name ${JSON.stringify(name)} ${problem}`, f.path));
  }
  return name;
};

const readVersion = (map: Readonly<Record<string, unknown>>, f: Fields): string => {
  const version = map.version;
  if (version === undefined || version === null || version === '') {
    f.problems.push('version is required');
    return '';
  }
  // helm lint refuses a non-string version (`version: 1.0` is a float in YAML).
  if (typeof version !== 'string' || !isStrictSemver(version)) {
    const shown = JSON.stringify(String(version)).slice(0, 100);
    f.refusals.push(
      refusal('CHART_VERSION_INVALID', `chart version ${shown} is not a SemVer 2 string`, f.path),
    );
    return '';
  }
  return version;
};

const readType = (
  map: Readonly<Record<string, unknown>>,
  apiVersion: string,
  f: Fields,
): 'application' | 'library' => {
  const type = map.type;
  if (type === undefined || type === null || type === '') return 'application';
  if (type !== 'application' && type !== 'library')
    f.problems.push('type must be "application" or "library"');
  // helm lint: "chart type is not valid in apiVersion v1"
  else if (apiVersion === 'v1') f.problems.push('type is only valid with apiVersion v2');
  return type === 'library' ? 'library' : 'application';
};

const readOptionalStrings = (map: Readonly<Record<string, unknown>>, f: Fields) => {
  const appVersion = optionalString(map, 'appVersion');
  const description = optionalString(map, 'description');
  if (appVersion === null) f.problems.push('appVersion must be a string (quote it)');
  if (description === null) f.problems.push('description must be a string');
  return { appVersion: appVersion ?? undefined, description: description ?? undefined };
};

/**
 * An uploaded chart becomes a release, so it must be a type Helm installs: only `application` (or no
 * type). helm v3.17.2 cmd/helm/install.go L320-L329 (checkIfInstallable, also run by `helm template`):
 * https://github.com/helm/helm/blob/v3.17.2/cmd/helm/install.go#L320-L329
 * Flux installs through Helm's SDK, which skips that check and renders only a library chart's `_*`
 * templates (pkg/engine/engine.go isTemplateValid): an empty release. Refused from Chart.yaml alone,
 * before helm runs. Vendored subcharts are not releases: libraries are what they are for.
 */
export const checkInstallable = (metadata: ChartMetadata): Refusal[] =>
  metadata.type === 'application'
    ? []
    : [
        refusal(
          'CHART_NOT_INSTALLABLE',
          `${metadata.type} charts are not installable: a ${metadata.type} chart has nothing to deploy; vendor it under charts/ of an application chart and upload that one`,
          'Chart.yaml',
        ),
      ];

/** Validates a Chart.yaml (at `path`, relative to the top chart) the way Helm's loader and lint do. */
export const checkChartYaml = (data: Uint8Array | undefined, path = 'Chart.yaml'): MetadataCheck => {
  if (data === undefined)
    return { ok: false, refusals: [refusal('CHART_YAML_MISSING', `${path} is missing`, path)] };
  const parsed = parseYamlMap(data);
  if (!parsed.ok || parsed.value === undefined) {
    const reason = parsed.ok ? 'is empty' : parsed.reason;
    return { ok: false, refusals: [refusal('CHART_YAML_INVALID', `${path} ${reason}`, path)] };
  }
  const map = parsed.value;
  const f: Fields = { problems: [], refusals: [], path };
  const apiVersion = readApiVersion(map, f);
  const name = readName(map, f);
  const version = readVersion(map, f);
  const type = readType(map, apiVersion, f);
  const { appVersion, description } = readOptionalStrings(map, f);
  const annotations = parseAnnotations(map.annotations, f.problems);
  const dependencies = parseDependencies(map.dependencies, f.problems);
  if (apiVersion === 'v1' && dependencies.length > 0)
    f.problems.push('dependencies belong in requirements.yaml with apiVersion v1');
  const refusals = [
    ...f.problems.map((problem) => refusal('CHART_YAML_INVALID', `${path}: ${problem}`, path)),
    ...f.refusals,
  ];
  if (refusals.length > 0) return { ok: false, refusals };
  const metadata: ChartMetadata = { name, version, apiVersion, type, annotations, dependencies };
  return {
    ok: true,
    metadata: {
      ...metadata,
      ...(appVersion !== undefined && { appVersion }),
      ...(description !== undefined && { description }),
    },
  };
};
