import { isMap, parseDocument } from 'yaml';
import { HELM_YAML_OPTIONS, parseYamlMap } from '../../chart/yaml-map';
import type { ValuesDocument } from '../manifests/release-values';

/** Larger values files are refused (VALUES_TOO_LARGE) before they are read whole. */
export const MAX_VALUES_BYTES = 512 * 1024;

export type ValuesDocumentParse =
  | { readonly ok: true; readonly document: ValuesDocument }
  | { readonly ok: false; readonly reason: string };

/**
 * An uploaded values file, read the way Helm reads a `-f` values file (chart/yaml-map.ts: YAML 1.1,
 * duplicate keys tolerated, timestamps kept as strings): a YAML map, or empty (no overrides). Its
 * nodes are kept too, so the comments and key order it brings can be written into the HelmRelease.
 */
export const parseValuesDocument = (bytes: Uint8Array): ValuesDocumentParse => {
  const parsed = parseYamlMap(bytes);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  const doc = parseDocument(new TextDecoder().decode(bytes), HELM_YAML_OPTIONS);
  const contents = isMap(doc.contents) ? doc.contents : undefined;
  return { ok: true, document: { value: parsed.value ?? {}, ...(contents ? { contents } : {}) } };
};
