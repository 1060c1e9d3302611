import { isMap, parseDocument } from 'yaml';
import { HELM_YAML_OPTIONS, parseYamlMap } from '../../chart/yaml-map';
import type { ValuesDocument } from '../manifests/release-values';
import { secretsMessage, suspectedSecrets } from './values-secrets';

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

/** What a values file is refused for before it reaches the pipeline (the pipeline checks the same). */
export type ValuesFileCheck =
  | { readonly ok: true; readonly document: ValuesDocument }
  | {
      readonly ok: false;
      readonly code: 'VALUES_TOO_LARGE' | 'VALUES_INVALID' | 'VALUES_SECRET_SUSPECTED';
      readonly message: string;
    };

/**
 * The checks a values file passes on its own, without the cluster repository: its size, that Helm
 * reads it as a values file, and no value that looks like a credential (values-secrets.ts). `name`
 * names the file in messages. The pipeline runs the same checks (size at read, the others in
 * change-values.ts and plan-values-change.ts); `chart-promoter values set` runs them before it
 * uploads.
 */
export const checkValuesFile = (bytes: Uint8Array, name: string): ValuesFileCheck => {
  if (bytes.byteLength > MAX_VALUES_BYTES) {
    return {
      ok: false,
      code: 'VALUES_TOO_LARGE',
      message: `${name} is ${bytes.byteLength} bytes, over the limit of ${MAX_VALUES_BYTES}`,
    };
  }
  const parsed = parseValuesDocument(bytes);
  if (!parsed.ok) return { ok: false, code: 'VALUES_INVALID', message: `${name} ${parsed.reason}` };
  const secrets = suspectedSecrets(parsed.document.value);
  if (secrets.length > 0)
    return { ok: false, code: 'VALUES_SECRET_SUSPECTED', message: secretsMessage(secrets) };
  return { ok: true, document: parsed.document };
};
