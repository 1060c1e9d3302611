import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { checkSchema } from '../../chart/values-check';
import { parseYamlMap } from '../../chart/yaml-map';
import type { RenderResult } from '../../ports/chart-renderer';
import type { ReleaseRenderer } from '../../ports/release-renderer';
import { sameValues, type Values } from '../manifests/release-values';
import type { RenderedChange, ValuesRefusal } from './values-change';
import type { ChartFile } from './values-snapshot';

/**
 * The gates a values change passes before it is committed, the same as a chart's at upload: the
 * chart's values.schema.json (chart/values-check.ts, on the values Helm would validate), then
 * `helm template` with the composed values (ports/release-renderer.ts). Plus what rendering before and
 * after shows, for pull requests and `values diff`.
 */
const isMap = (value: unknown): value is Values =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The values Helm validates and renders with: the release's values coalesced over the chart's
 * defaults (helm pkg/chartutil/coalesce.go v3.17 `coalesceValues`, `coalesceTablesFullKey`): the
 * release wins; its maps merge with the defaults' maps; a `null` removes a key the defaults have.
 * Top chart only (subcharts' values are checked by helm template itself).
 */
export const coalesceValues = (defaults: Values, values: Values): Values => {
  const coalesceTables = (dst: Values, src: Values): void => {
    for (const [key, value] of Object.entries(src)) {
      const has = Object.hasOwn(dst, key);
      if (has && dst[key] === null) delete dst[key];
      else if (!has) dst[key] = value;
      else if (isMap(value) && isMap(dst[key])) coalesceTables(dst[key] as Values, value);
    }
  };
  const result = structuredClone(values);
  coalesceTables(result, structuredClone(defaults));
  return result;
};

const fileNamed = (files: readonly ChartFile[], path: string): Uint8Array | undefined =>
  files.find((file) => file.path === path)?.data;

/** values.schema.json against the coalesced values; undefined when it passes (or there is none). */
export const schemaRefusal = async (
  files: readonly ChartFile[],
  values: Values,
): Promise<ValuesRefusal | undefined> => {
  const schema = fileNamed(files, 'values.schema.json');
  if (schema === undefined) return undefined;
  const defaults = fileNamed(files, 'values.yaml');
  const parsed = defaults === undefined ? undefined : parseYamlMap(defaults);
  const coalesced = coalesceValues(parsed?.ok ? (parsed.value ?? {}) : {}, values);
  const [refusal] = await checkSchema(schema, coalesced, "the release's values");
  return refusal === undefined
    ? undefined
    : {
        status: 'refused',
        code: 'VALUES_SCHEMA_VIOLATION',
        message: refusal.message,
        path: 'values.schema.json',
      };
};

/** helm's own schema failure (subcharts, formats Ajv does not check): still a schema violation. */
const HELM_SCHEMA_FAILURE = /values don't meet the specifications of the schema/;

export interface ReleaseToRender {
  readonly chart: { readonly name: string; readonly version: string };
  readonly tree: string;
  readonly files: readonly ChartFile[];
  readonly values: Values;
  readonly releaseName: string;
  readonly namespace: string;
}

// Renders by input (chart tree, release, values): a commit round repeated after a conflict, or the
// "before" of one change that was the "after" of the previous, is not rendered twice.
const RENDER_CACHE_ENTRIES = 32;
const renders = new Map<string, Promise<RenderResult>>();

const renderKey = (release: ReleaseToRender, values: string): string =>
  createHash('sha256')
    .update(JSON.stringify([release.tree, release.releaseName, release.namespace, values]))
    .digest('hex');

/** Renders (once per distinct input; a failure of the renderer itself is not kept). */
export const renderRelease = (renderer: ReleaseRenderer, release: ReleaseToRender): Promise<RenderResult> => {
  const values = JSON.stringify(release.values);
  const key = renderKey(release, values);
  let result = renders.get(key);
  if (!result) {
    result = renderer.renderRelease({ ...release, values });
    renders.set(key, result);
    result.catch(() => renders.delete(key));
    while (renders.size > RENDER_CACHE_ENTRIES) renders.delete(renders.keys().next().value!);
  }
  return result;
};

/** A failed render as the change's refusal. */
export const renderRefusal = (result: RenderResult): ValuesRefusal | undefined => {
  if (result.ok) return undefined;
  const { message, path } = result.refusal;
  return {
    status: 'refused',
    code: HELM_SCHEMA_FAILURE.test(message) ? 'VALUES_SCHEMA_VIOLATION' : 'RENDER_FAILED',
    message,
    ...(path === undefined ? {} : { path }),
  };
};

/** The objects of rendered manifests by `Kind namespace/name` (namespace: the release's when unset). */
const objectsOf = (manifests: string, namespace: string): Map<string, unknown> => {
  const objects = new Map<string, unknown>();
  for (const doc of parseAllDocuments(manifests)) {
    const value: unknown = doc.toJS();
    if (!isMap(value)) continue;
    const metadata = isMap(value.metadata) ? value.metadata : {};
    const id = `${String(value.kind)} ${String(metadata.namespace ?? namespace)}/${String(metadata.name)}`;
    let unique = id;
    for (let n = 2; objects.has(unique); n++) unique = `${id} (${n})`;
    objects.set(unique, value);
  }
  return objects;
};

/** Which rendered objects the change adds, removes or changes. */
export const renderedChange = (before: string, after: string, namespace: string): RenderedChange => {
  const a = objectsOf(before, namespace);
  const b = objectsOf(after, namespace);
  return {
    changed: [...b.keys()].filter((id) => a.has(id) && !sameValues(a.get(id), b.get(id))).sort(),
    added: [...b.keys()].filter((id) => !a.has(id)).sort(),
    removed: [...a.keys()].filter((id) => !b.has(id)).sort(),
  };
};
