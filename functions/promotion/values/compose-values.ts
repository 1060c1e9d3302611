import { parseYamlMap } from '../../chart/yaml-map';
import { parseInto, parseIntoString, type Values } from './strvals';

/**
 * The values a HelmRelease gives Helm: `spec.valuesFrom` resolved in order, then `spec.values` on top,
 * exactly as Flux's helm-controller composes them (fluxcd/pkg chartutil/values.go
 * `ChartValuesFromReferences`, called from helm-controller internal/controller/helmrelease_controller.go):
 *
 * - each reference without `targetPath` is read as a YAML values document (its `valuesKey`, default
 *   `values.yaml`) and merged over what came before (`MergeMaps`: maps merge key by key, anything
 *   else replaces);
 * - a reference with `targetPath` first merges `spec.values` into the result, then sets the one value
 *   at the path with Helm's `--set` parser (strvals.ts; `literal: true` sets the text verbatim, like
 *   `--set-literal`). Because `MergeMaps` copies only the top level, the result shares its nested maps
 *   with `spec.values` and strvals writes into them: a targetPath whose parent maps exist in
 *   `spec.values` overrides even `spec.values` (upstream's test "target path precedence over all");
 * - `spec.values` is merged last;
 * - `optional: true` skips a reference whose object or key does not exist; otherwise that is an error
 *   (Flux: event `ValuesError`, nothing is installed).
 *
 * Where a referenced object comes from is the caller's business (`resolve`): helm-controller reads
 * the cluster; chart-promoter can read only what the repository holds (values-sources.ts), and says
 * so (`unsupported`) for anything else rather than guess.
 */
export interface ValuesReference {
  readonly kind: string;
  readonly name: string;
  readonly valuesKey?: string;
  readonly targetPath?: string;
  readonly optional?: boolean;
  readonly literal?: boolean;
}

export type ValuesSource =
  /** The object's `data` (a Secret's already decoded from base64). */
  | { readonly found: true; readonly data: Readonly<Record<string, string>> }
  /** Known not to exist. */
  | { readonly found: false }
  /** Its content cannot be known here: the composition cannot be checked. */
  | { readonly unsupported: string };

export type Resolve = (kind: string, name: string) => ValuesSource;

export type Composition =
  | { readonly ok: true; readonly values: Values }
  | {
      readonly ok: false;
      readonly code: 'VALUES_INVALID' | 'VALUES_FROM_UNSUPPORTED';
      readonly message: string;
    };

const isMap = (value: unknown): value is Values =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `MergeMaps(a, b)` (fluxcd/pkg chartutil/merge.go): a new top-level map; nested maps of `b` merge into
 * those of `a` recursively; any other value of `b` (a list, a scalar, null) replaces. Values are
 * shared, not copied, as in Go.
 */
export const mergeMaps = (a: Values | undefined, b: Values | undefined): Values => {
  const out: Values = { ...(a ?? {}) };
  for (const [key, value] of Object.entries(b ?? {})) {
    const existing = out[key];
    out[key] = isMap(value) && isMap(existing) ? mergeMaps(existing, value) : value;
  }
  return out;
};

/** `ReplacePathValue`: a value quoted with ' or " is set as a string (ParseIntoString), else typed. */
export const replacePathValue = (values: Values, path: string, value: string): void => {
  const single = value.startsWith("'") && value.endsWith("'");
  const double = value.startsWith('"') && value.endsWith('"');
  if (single || double) {
    // strings.Trim(value, `'"`): every leading and trailing quote of either kind.
    parseIntoString(`${path}=${value.replace(/^['"]+|['"]+$/g, '')}`, values);
    return;
  }
  parseInto(`${path}=${value}`, values);
};

/** `ReplacePathLiteralValue`: the value verbatim, its strvals metacharacters escaped. */
export const replacePathLiteralValue = (values: Values, path: string, value: string): void => {
  const escaped = value.replace(/[\\,[\]{}]/g, (char) => `\\${char}`);
  parseIntoString(`${path}=${escaped}`, values);
};

/** `ErrValuesReference.Error()`, so refusals read like the ValuesError Flux would report. */
const referenceError = (ref: ValuesReference, namespace: string, reason: string): string => {
  const key = ref.valuesKey ?? 'values.yaml';
  return `could not resolve${ref.optional ? ' optional' : ''} ${ref.kind} chart values reference '${namespace}/${ref.name}' with key '${key}': ${reason}`;
};

/**
 * Composes the values of a HelmRelease in `namespace` from `specValues` (its `spec.values`, which
 * may be written into: pass a fresh copy) and its `valuesFrom` references.
 */
export const composeValues = (
  namespace: string,
  specValues: Values | undefined,
  references: readonly ValuesReference[],
  resolve: Resolve,
): Composition => {
  let result: Values = {};
  // One look-up per object, as upstream caches them (an optional reference to a missing object
  // marks it missing for the references after it).
  const seen = new Map<string, ValuesSource>();
  for (const ref of references) {
    const invalid = (reason: string): Composition => ({
      ok: false,
      code: 'VALUES_INVALID',
      message: referenceError(ref, namespace, reason),
    });
    if (ref.kind !== 'ConfigMap' && ref.kind !== 'Secret')
      return invalid('unsupported values reference kind');
    const index = `${ref.kind}/${ref.name}`;
    let source = seen.get(index);
    if (!source) {
      source = resolve(ref.kind, ref.name);
      seen.set(index, source);
    }
    if ('unsupported' in source) {
      return { ok: false, code: 'VALUES_FROM_UNSUPPORTED', message: source.unsupported };
    }
    if (!source.found) {
      if (ref.optional) continue;
      return invalid('resource not found');
    }
    const key = ref.valuesKey ?? 'values.yaml';
    if (!Object.hasOwn(source.data, key)) {
      if (ref.optional) continue;
      return invalid('key not found');
    }
    const data = source.data[key]!;
    if (ref.targetPath) {
      result = mergeMaps(result, specValues);
      try {
        (ref.literal ? replacePathLiteralValue : replacePathValue)(result, ref.targetPath, data);
      } catch (error) {
        return invalid(error instanceof Error ? error.message : String(error));
      }
      continue;
    }
    const parsed = parseYamlMap(new TextEncoder().encode(data));
    if (!parsed.ok) return invalid(`failed to read values data: ${parsed.reason}`);
    result = mergeMaps(result, parsed.value ?? {});
  }
  return { ok: true, values: mergeMaps(result, specValues) };
};
