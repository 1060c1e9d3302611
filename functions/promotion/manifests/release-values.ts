import { createHash } from 'node:crypto';
import {
  Document,
  isMap,
  isNode,
  isScalar,
  isSeq,
  type Node,
  Pair,
  parseDocument,
  type Scalar,
  stringify,
  type YAMLMap,
} from 'yaml';
import { HELM_YAML_OPTIONS, HELM_YAML_TO_JS } from '../../chart/yaml-map';
import type { ValuesReference } from '../values/compose-values';
import { applySplices, columnOf, lineEndAfter, lineStart, type Splice } from './yaml-splice';

/**
 * `spec.values` of a HelmRelease (https://fluxcd.io/flux/components/helm/helmreleases/#values), read
 * and rewritten where humans keep it. A values change replaces the whole of `spec.values` with the
 * new document, but as a set of small splices of the original text (yaml-splice.ts): a key whose
 * value stays the same keeps its bytes (comments, quoting, blank lines, order); a map present on both
 * sides is edited key by key; a changed scalar is replaced in place (its trailing comment stays); a
 * removed key goes with the comment lines right above it; a new key is written after the key that
 * precedes it in the new document, with the comments the new document gives it. Everything outside
 * `spec.values` is never touched.
 *
 * YAML dialects: the values are read as Helm and Kubernetes read them (YAML 1.1 through
 * sigs.k8s.io/yaml: `yes` is a boolean), and every fragment written is checked to mean the same under
 * YAML 1.1 and 1.2 (kustomize's kyaml reads 1.2), else written again with quoted strings. The result
 * is verified by parsing it back: the values must be the new ones and the rest of the document
 * unchanged, or a plainer rewrite of `spec.values` is tried, or the edit is refused.
 */
export type Values = Record<string, unknown>;

/** New values: their data as Helm reads them, and the nodes they came from (comments, key order). */
export interface ValuesDocument {
  readonly value: Values;
  /** The document's root map, when it has one (an empty document has none). */
  readonly contents?: YAMLMap;
}

export interface ReleaseValues {
  /** `spec.values` as Helm reads it; `{}` when absent or null. */
  readonly values: Values;
  readonly valuesFrom: readonly ValuesReference[];
  /** helm-controller's release name: `spec.releaseName`, else `[<targetNamespace>-]<name>`, shortened. */
  readonly releaseName: string;
  /** Where Helm installs: `spec.targetNamespace`, else the HelmRelease's namespace. */
  readonly namespace: string;
  /** The text of the `values:` entry (for diffs), empty when there is none. */
  readonly valuesText: string;
}

export type ReleaseValuesRead =
  | ({ readonly ok: true } & ReleaseValues)
  | { readonly ok: false; readonly message: string };

export type ValuesEdit =
  | { readonly ok: true; readonly text: string; readonly changed: boolean }
  | { readonly ok: false; readonly message: string };

const isPlainMap = (value: unknown): value is Values =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Deep equality of plain data (key order ignored). */
export const sameValues = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => sameValues(item, b[i]))
    );
  }
  if (isPlainMap(a) && isPlainMap(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && sameValues(a[key], b[key]))
    );
  }
  return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
};

/** A HelmRelease parsed the way Kubernetes reads it (YAML 1.1), with its nodes and their ranges. */
export const parseHelmDocument = (text: string) => parseDocument(text, HELM_YAML_OPTIONS);

const toValues = (node: unknown, doc: Document): unknown =>
  node === null || node === undefined ? undefined : (node as Node).toJS(doc, HELM_YAML_TO_JS);

const specOf = (doc: Document): YAMLMap | undefined => {
  const spec = isMap(doc.contents) ? doc.contents.get('spec', true) : undefined;
  return isMap(spec) ? spec : undefined;
};

const valuesPairOf = (spec: YAMLMap | undefined): Pair | undefined =>
  spec?.items.find((pair) => isScalar(pair.key) && pair.key.value === 'values') as Pair | undefined;

/** The node of `spec.values` (comments included), when the document has one. */
export const valuesNodeOf = (doc: Document): unknown => valuesPairOf(specOf(doc))?.value;

/** helm-controller internal/release/name.go `ShortenName`: over 53 characters, 40 + "-" + 12 of sha256. */
export const shortenReleaseName = (name: string): string =>
  name.length <= 53
    ? name
    : `${name.slice(0, 40)}-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;

const stringAt = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const referencesOf = (value: unknown): ValuesReference[] | string => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return 'spec.valuesFrom is not a list';
  const refs: ValuesReference[] = [];
  for (const item of value) {
    if (!isPlainMap(item) || typeof item.kind !== 'string' || typeof item.name !== 'string')
      return 'spec.valuesFrom has an entry without kind and name';
    refs.push({
      kind: item.kind,
      name: item.name,
      ...(typeof item.valuesKey === 'string' ? { valuesKey: item.valuesKey } : {}),
      ...(typeof item.targetPath === 'string' ? { targetPath: item.targetPath } : {}),
      ...(item.optional === true ? { optional: true } : {}),
      ...(item.literal === true ? { literal: true } : {}),
    });
  }
  return refs;
};

/**
 * Reads what composing and rendering a release needs (helm-controller api/v2/helmrelease_types.go
 * `GetValues`, `GetReleaseName`, `GetReleaseNamespace`). `fallbackNamespace`: the environment's, for a
 * HelmRelease without `metadata.namespace` (kustomize or Flux would set it).
 */
export const readReleaseValues = (text: string, fallbackNamespace: string): ReleaseValuesRead => {
  const doc = parseHelmDocument(text);
  if (doc.errors.length > 0) return { ok: false, message: `not valid YAML: ${doc.errors[0]?.message}` };
  const spec = specOf(doc);
  if (!spec) return { ok: false, message: 'spec is missing' };
  const pair = valuesPairOf(spec);
  const values = toValues(pair?.value, doc);
  if (values !== undefined && !isPlainMap(values)) return { ok: false, message: 'spec.values is not a map' };
  const valuesFrom = referencesOf(toValues(spec.get('valuesFrom', true), doc));
  if (typeof valuesFrom === 'string') return { ok: false, message: valuesFrom };
  const root = doc.contents as YAMLMap;
  const name = stringAt(root.getIn(['metadata', 'name'])) ?? '';
  const targetNamespace = stringAt(spec.get('targetNamespace'));
  const releaseName =
    stringAt(spec.get('releaseName')) ?? (targetNamespace ? `${targetNamespace}-${name}` : name);
  const start = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
  return {
    ok: true,
    values: values ?? {},
    valuesFrom,
    releaseName: shortenReleaseName(releaseName),
    namespace: targetNamespace ?? stringAt(root.getIn(['metadata', 'namespace'])) ?? fallbackNamespace,
    valuesText:
      start === undefined ? '' : text.slice(lineStart(text, start), lineEndAfter(text, pairEnd(pair!))),
  };
};

// ---------------------------------------------------------------------------------------------
// Rendering fragments

interface Style {
  /** Spaces per level (the file's own). */
  readonly step: number;
  /** Block sequences indented under their key (`key:\n  - a`) or not (`key:\n- a`). */
  readonly indentSeq: boolean;
}

const DIALECTS = [{ version: '1.1' }, { version: '1.2' }] as const;

/** What `text` (a standalone YAML document) means, or `undefined` when a dialect cannot read it. */
const meaningIn = (text: string, version: '1.1' | '1.2'): { value: unknown } | undefined => {
  const doc = parseDocument(text, { ...HELM_YAML_OPTIONS, version, uniqueKeys: true });
  if (doc.errors.length > 0) return undefined;
  try {
    return { value: doc.toJS(HELM_YAML_TO_JS) };
  } catch {
    return undefined;
  }
};

const meansInBoth = (text: string, expected: unknown): boolean =>
  DIALECTS.every(({ version }) => {
    const meaning = meaningIn(text, version);
    return meaning !== undefined && sameValues(meaning.value ?? null, expected ?? null);
  });

const toText = (node: unknown, style: Style, strings?: 'QUOTE_DOUBLE'): string => {
  const doc = new Document(null, { version: '1.2' });
  doc.contents = node as Node;
  return doc.toString({
    indent: style.step,
    indentSeq: style.indentSeq,
    lineWidth: 0,
    flowCollectionPadding: false,
    ...(strings ? { defaultStringType: strings, defaultKeyType: 'PLAIN' as const } : {}),
  });
};

/**
 * The document text of `node` meaning `expected` in both dialects: the node as it came (comments
 * kept), else a fresh node from the data, else the same with every string double-quoted.
 */
const renderMeaning = (node: unknown, expected: unknown, style: Style): string | undefined => {
  const fresh = (value: unknown) => new Document(null, { version: '1.2' }).createNode(value);
  const wrap = (value: unknown) => (value === undefined ? null : value);
  const attempts = [
    ...(isNode(node) ? [() => toText(node, style)] : []),
    () => toText(fresh(wrap(expected)), style),
    () => toText(fresh(wrap(expected)), style, 'QUOTE_DOUBLE'),
  ];
  for (const attempt of attempts) {
    const text = attempt();
    if (meansInBoth(text, expected)) return text;
  }
  return undefined;
};

const indentLines = (text: string, indent: number): string =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line === '' ? '' : `${' '.repeat(indent)}${line}`))
    .join('\n');

/** A `key: value` entry as lines at `indent` (with a final newline), or undefined when unsafe. */
const renderPair = (
  key: string,
  keyNode: unknown,
  valueNode: unknown,
  value: unknown,
  indent: number,
  style: Style,
  withComments: boolean,
): string | undefined => {
  const doc = new Document(null, { version: '1.2' });
  const nodeOf = (node: unknown, data: unknown): Node =>
    isNode(node) ? (node.clone() as Node) : (doc.createNode(data === undefined ? null : data) as Node);
  const keyCopy = nodeOf(keyNode, key) as Node & { commentBefore?: string };
  if (!withComments) delete keyCopy.commentBefore;
  const map = doc.createNode({}) as YAMLMap;
  map.items.push(new Pair(keyCopy, nodeOf(valueNode, value)));
  const text = renderMeaning(map, { [key]: value }, style);
  return text === undefined ? undefined : `${indentLines(text, indent)}\n`;
};

/** A single-line scalar in the style of the one it replaces, or undefined when it needs more. */
const renderScalar = (value: unknown, replaced: Scalar): string | undefined => {
  if (value !== null && typeof value === 'object') return undefined;
  const styles =
    typeof value === 'string' && (replaced.type === 'QUOTE_DOUBLE' || replaced.type === 'QUOTE_SINGLE')
      ? [replaced.type, 'PLAIN', 'QUOTE_DOUBLE']
      : ['PLAIN', 'QUOTE_DOUBLE'];
  for (const type of styles) {
    const text = stringify(value, { defaultStringType: type as Scalar.Type, lineWidth: 0 }).replace(
      /\n$/,
      '',
    );
    if (!text.includes('\n') && meansInBoth(text, value)) return text;
  }
  return undefined;
};

// ---------------------------------------------------------------------------------------------
// Editing

const pairEnd = (pair: Pair): number => {
  const value = pair.value as Node | null;
  const key = pair.key as Node;
  return Math.max(value?.range?.[2] ?? 0, value?.range?.[1] ?? 0, key.range?.[2] ?? 0);
};

const keyStart = (pair: Pair): number | undefined => (pair.key as Node | null)?.range?.[0];

/** Where a pair's lines start, comment lines right above it (at its column) included. */
const pairLinesStart = (text: string, pair: Pair): number => {
  let start = lineStart(text, keyStart(pair)!);
  const column = keyStart(pair)! - start;
  const comment = new RegExp(`^ {${column}}#`);
  while (start > 0) {
    const previous = lineStart(text, start - 1);
    if (!comment.test(text.slice(previous, start))) break;
    start = previous;
  }
  return start;
};

/** Splices; zero-width inserts at the same offset are joined in the order they were added. */
class Edits {
  private readonly replaces: Splice[] = [];
  private readonly inserts = new Map<number, string>();

  replace(start: number, end: number, text: string): void {
    this.replaces.push({ start, end, text });
  }

  insert(at: number, text: string): void {
    this.inserts.set(at, `${this.inserts.get(at) ?? ''}${text}`);
  }

  apply(source: string): string {
    const inserts = [...this.inserts].map(([at, text]) => ({ start: at, end: at, text }));
    return applySplices(source, [...this.replaces, ...inserts]);
  }
}

class Unsupported extends Error {}

const keyOf = (pair: Pair): string => {
  if (!isScalar(pair.key) || pair.key.value === null || typeof pair.key.value === 'object')
    throw new Unsupported('a key that is not a plain scalar');
  return String(pair.key.value);
};

const uploadedPair = (uploaded: YAMLMap | undefined, key: string): Pair | undefined => {
  const matches =
    uploaded?.items.filter((pair) => isScalar(pair.key) && String(pair.key.value) === key) ?? [];
  return matches.at(-1) as Pair | undefined;
};

/**
 * Replaces a pair's value (after its key) with new content. A block collection that starts on a later
 * line is replaced from that line on, so a comment on the key's own line stays.
 */
const replaceValue = (text: string, edits: Edits, pair: Pair, content: string, block: boolean): void => {
  const keyEnd = (pair.key as Node).range![1];
  const colon = text.indexOf(':', keyEnd);
  const value = pair.value as Node | null;
  const end = value?.range ? Math.max(value.range[1], colon + 1) : colon + 1;
  const endsLine = text[end - 1] === '\n';
  const lineEnd = lineEndAfter(text, colon + 1);
  if (block && (isMap(value) || isSeq(value)) && !value.flow && value.range && value.range[0] >= lineEnd) {
    edits.replace(lineEnd, end, `${content.replace(/\n$/, '')}${endsLine ? '\n' : ''}`);
    return;
  }
  const body = block ? `\n${content.replace(/\n$/, '')}` : ` ${content}`;
  edits.replace(keyEnd, end, `:${body}${endsLine ? '\n' : ''}`);
};

/**
 * Edits the block map `map` (whose data is `current`) so that it holds `wanted`, reusing the nodes of
 * `uploaded` for what is new. Throws Unsupported where a finer edit cannot be made.
 */
const syncMap = (
  text: string,
  edits: Edits,
  map: YAMLMap,
  current: Values,
  wanted: Values,
  uploaded: YAMLMap | undefined,
  style: Style,
): void => {
  if (map.flow || map.items.length === 0) throw new Unsupported('a flow map');
  const keys = map.items.map((pair) => keyOf(pair as Pair));
  if (new Set(keys).size !== keys.length) throw new Unsupported('duplicate keys');
  if (keys.includes('<<')) throw new Unsupported('a merge key');
  const indent = columnOf(text, keyStart(map.items[0] as Pair)!);
  const byKey = new Map(map.items.map((pair, i) => [keys[i]!, pair as Pair]));
  const kept = new Set<string>();
  for (const [i, pair] of (map.items as Pair[]).entries()) {
    const key = keys[i]!;
    if (!Object.hasOwn(wanted, key)) {
      edits.replace(pairLinesStart(text, pair), lineEndAfter(text, pairEnd(pair)), '');
      continue;
    }
    kept.add(key);
    const before = current[key];
    const after = wanted[key];
    if (sameValues(before, after)) continue;
    const node = pair.value;
    const next = uploadedPair(uploaded, key);
    if (
      isMap(node) &&
      !node.flow &&
      node.items.length > 0 &&
      isPlainMap(before) &&
      isPlainMap(after) &&
      Object.keys(after).length > 0
    ) {
      syncMap(text, edits, node, before, after, isMap(next?.value) ? next.value : undefined, style);
      continue;
    }
    if (
      isScalar(node) &&
      node.range &&
      !text.slice(node.range[0], node.range[1]).includes('\n') &&
      before !== null
    ) {
      const scalar = renderScalar(after, node);
      if (scalar !== undefined) {
        edits.replace(node.range[0], node.range[1], scalar);
        continue;
      }
    }
    const lines = renderPair(key, pair.key, next?.value, after, indent, style, false);
    if (lines === undefined) throw new Unsupported(`cannot write ${key}`);
    edits.replace(lineStart(text, keyStart(pair)!), lineEndAfter(text, pairEnd(pair)), lines);
  }
  if (kept.size === 0) throw new Unsupported('nothing kept');
  // New keys: after the key that precedes them in the new document (or before the first kept one).
  let anchor: Pair | undefined;
  const firstKept = (map.items as Pair[]).find((_, i) => kept.has(keys[i]!))!;
  for (const key of Object.keys(wanted)) {
    const existing = byKey.get(key);
    if (existing) {
      anchor = existing;
      continue;
    }
    const next = uploadedPair(uploaded, key);
    const lines = renderPair(key, next?.key, next?.value, wanted[key], indent, style, true);
    if (lines === undefined) throw new Unsupported(`cannot write ${key}`);
    edits.insert(anchor ? lineEndAfter(text, pairEnd(anchor)) : pairLinesStart(text, firstKept), lines);
  }
};

/** The file's indentation step and sequence style, read from the document (default: 2, indented). */
const styleOf = (text: string, doc: Document): Style => {
  let step: number | undefined;
  let indentSeq: boolean | undefined;
  const visit = (node: unknown): void => {
    if (!isMap(node) || node.flow) return;
    for (const pair of node.items as Pair[]) {
      const start = keyStart(pair);
      if (start === undefined) continue;
      const own = columnOf(text, start);
      const value = pair.value;
      if (isMap(value) && !value.flow && value.items.length > 0) {
        const child = keyStart(value.items[0] as Pair);
        if (child !== undefined && step === undefined) step = columnOf(text, child) - own;
        visit(value);
      } else if (isSeq(value) && !value.flow && value.range && indentSeq === undefined) {
        indentSeq = columnOf(text, value.range[0]) > own;
      }
    }
  };
  visit(doc.contents);
  return { step: step !== undefined && step > 0 ? step : 2, indentSeq: indentSeq ?? true };
};

/** Parses back `edited`: the values must be `wanted` and everything else as in `original`. */
const verify = (original: Document, edited: string, wanted: Values): boolean => {
  const doc = parseDocument(edited, { ...HELM_YAML_OPTIONS, uniqueKeys: true });
  if (doc.errors.length > 0) return false;
  const values = toValues(valuesPairOf(specOf(doc))?.value, doc) ?? {};
  if (!sameValues(values, wanted)) return false;
  const without = (d: Document): unknown => {
    const copy = d.clone();
    specOf(copy)?.delete('values');
    return copy.toJS(HELM_YAML_TO_JS);
  };
  return sameValues(without(doc), without(original));
};

/** Writes `spec.values` whole (used when a finer edit is not possible). */
const rewriteWhole = (
  text: string,
  spec: YAMLMap,
  next: ValuesDocument,
  style: Style,
): string | undefined => {
  const edits = new Edits();
  const pair = valuesPairOf(spec);
  const empty = Object.keys(next.value).length === 0;
  const firstKey = keyStart(spec.items[0] as Pair);
  if (firstKey === undefined) return undefined;
  const specIndent = columnOf(text, firstKey);
  if (!pair) {
    if (empty) return text;
    const lines = renderPair('values', undefined, next.contents, next.value, specIndent, style, true);
    if (lines === undefined) return undefined;
    edits.insert(lineEndAfter(text, pairEnd(spec.items.at(-1) as Pair)), lines);
    const edited = edits.apply(text);
    return edited.endsWith('\n') || !text.endsWith('\n') ? edited : `${edited}\n`;
  }
  if (empty) {
    replaceValue(text, edits, pair, '{}', false);
    return edits.apply(text);
  }
  const body = renderMeaning(next.contents ?? next.value, next.value, style);
  if (body === undefined) return undefined;
  replaceValue(text, edits, pair, indentLines(body, specIndent + style.step), true);
  return edits.apply(text);
};

/**
 * Sets `spec.values` of the HelmRelease `text` to `next` (see the module comment). `changed: false`
 * when the release already has these values (the text is returned as it was).
 */
export const writeReleaseValues = (text: string, next: ValuesDocument): ValuesEdit => {
  const doc = parseHelmDocument(text);
  if (doc.errors.length > 0) return { ok: false, message: `not valid YAML: ${doc.errors[0]?.message}` };
  const spec = specOf(doc);
  if (!spec || spec.flow || spec.items.length === 0) return { ok: false, message: 'spec is not a block map' };
  const pair = valuesPairOf(spec);
  const current = toValues(pair?.value, doc) ?? {};
  if (sameValues(current, next.value)) return { ok: true, text, changed: false };
  const style = styleOf(text, doc);
  const attempts: (() => string | undefined)[] = [
    () => {
      const node = pair?.value;
      if (!isMap(node) || !isPlainMap(current) || Object.keys(next.value).length === 0) return undefined;
      const edits = new Edits();
      try {
        syncMap(text, edits, node, current, next.value, next.contents, style);
      } catch (error) {
        if (error instanceof Unsupported) return undefined;
        throw error;
      }
      return edits.apply(text);
    },
    () => rewriteWhole(text, spec, next, style),
    () => rewriteWhole(text, spec, { value: next.value }, style),
  ];
  for (const attempt of attempts) {
    const edited = attempt();
    if (edited !== undefined && verify(doc, edited, next.value))
      return { ok: true, text: edited, changed: true };
  }
  return { ok: false, message: 'spec.values cannot be rewritten so that it reads back as the new values' };
};
