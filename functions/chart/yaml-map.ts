import { parseDocument, type Tags } from 'yaml';

export type YamlMap =
  | { readonly ok: true; readonly value: Readonly<Record<string, unknown>> | undefined }
  | { readonly ok: false; readonly reason: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Billion-laughs guard: yaml's own default, stated so nobody raises it without thinking. */
const MAX_ALIAS_COUNT = 100;

/**
 * Helm reads YAML through sigs.k8s.io/yaml (go-yaml v2): YAML 1.1 scalars (`yes`/`no` are booleans,
 * `<<` merges), duplicate keys tolerated (last wins), timestamps kept as strings. Mirror that so the
 * values we validate are the values Helm would see.
 */
const withoutTimestamps = (tags: Tags): Tags =>
  tags.filter((tag) => typeof tag !== 'object' || tag.tag !== 'tag:yaml.org,2002:timestamp');

/** Parse options that read YAML the way Helm reads values files (above). */
export const HELM_YAML_OPTIONS = {
  version: '1.1',
  uniqueKeys: false,
  prettyErrors: false,
  customTags: withoutTimestamps,
} as const;

/** Billion-laughs guard for `toJS`, as parseYamlMap uses it. */
export const HELM_YAML_TO_JS = { maxAliasCount: MAX_ALIAS_COUNT } as const;

const isPlainMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map);

/** Parses one YAML document that must be a mapping; an empty document gives `value: undefined`. */
export const parseYamlMap = (data: Uint8Array): YamlMap => {
  let text: string;
  try {
    text = decoder.decode(data);
  } catch {
    return { ok: false, reason: 'is not valid UTF-8' };
  }
  try {
    const doc = parseDocument(text, HELM_YAML_OPTIONS);
    const [first] = doc.errors;
    if (first !== undefined) return { ok: false, reason: `is not valid YAML: ${first.message}` };
    const value: unknown = doc.toJS(HELM_YAML_TO_JS);
    if (value === null || value === undefined) return { ok: true, value: undefined };
    if (!isPlainMap(value)) return { ok: false, reason: 'is not a YAML mapping' };
    return { ok: true, value };
  } catch (error) {
    return {
      ok: false,
      reason: `is not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
};
