import { isMap, parseDocument, stringify } from 'yaml';

/**
 * The signed body of a Helm provenance file (https://helm.sh/docs/topics/provenance/#the-provenance-file):
 * the chart's Chart.yaml metadata as YAML, a YAML document-end line `...`, then a `files:` map from the
 * archive's file name to `sha256:<hex>` of its bytes. Helm splits the body on "\n...\n" and requires
 * exactly two parts (helm pkg/provenance/sign.go, parseMessageBlock); so do we.
 */
export interface ProvenanceBody {
  readonly name: string;
  readonly version: string;
  /** Archive file name → `sha256:<hex>`. */
  readonly files: ReadonlyMap<string, string>;
}

export type ProvenanceBodyParse =
  | { readonly ok: true; readonly body: ProvenanceBody }
  | { readonly ok: false; readonly message: string };

const SEPARATOR = '\n...\n';

const yamlMap = (text: string): Record<string, unknown> | undefined => {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  return doc.toJS() as Record<string, unknown>;
};

const scalarText = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;

/** Parses the clear-signed text (line endings already normalised to "\n"). */
export const parseProvenanceBody = (text: string): ProvenanceBodyParse => {
  const parts = text.replace(/\r\n/g, '\n').split(SEPARATOR);
  if (parts.length !== 2) {
    return { ok: false, message: 'the signed text is not Chart.yaml metadata, "...", and a files map' };
  }
  const metadata = yamlMap(parts[0]!);
  const sums = yamlMap(parts[1]!);
  if (!metadata) return { ok: false, message: 'the Chart.yaml part of the signed text is not a YAML map' };
  const name = scalarText(metadata.name);
  const version = scalarText(metadata.version);
  if (name === undefined || version === undefined) {
    return { ok: false, message: 'the Chart.yaml part of the signed text names no chart name and version' };
  }
  const files = sums?.files;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    return { ok: false, message: 'the signed text has no `files:` map of archive digests' };
  }
  const digests = new Map<string, string>();
  for (const [file, digest] of Object.entries(files)) {
    if (typeof digest === 'string') digests.set(file, digest.trim().toLowerCase());
  }
  return { ok: true, body: { name, version, files: digests } };
};

/**
 * The body `helm package --sign` writes: Chart.yaml metadata marshalled with sorted keys (Go's yaml
 * marshals the Metadata struct's fields alphabetically by tag), then `...`, then the files map.
 */
export const provenanceBodyText = (
  chartYaml: Readonly<Record<string, unknown>>,
  archiveName: string,
  digest: string,
): string => {
  const metadata = stringify(chartYaml, { sortMapEntries: true, lineWidth: 0 });
  const sums = stringify({ files: { [archiveName]: digest } }, { lineWidth: 0 });
  return `${metadata}${SEPARATOR}${sums.replace(/\n$/, '')}`;
};
