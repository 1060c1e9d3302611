import {
  isNode,
  isScalar,
  type Node,
  type Pair,
  type Scalar,
  stringify,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

/**
 * Byte-preserving edits of YAML text. `yaml`'s Document API locates the nodes (each carries its source
 * `range`); the edit is a splice of the original text at those offsets, so everything a human wrote
 * around it — comments, blank lines, quoting, indentation, flow or block style — survives unchanged.
 * (Re-stringifying the whole Document would normalise indentation and flow spacing.)
 * Ranges: https://eemeli.org/yaml/#nodes (`range: [start, valueEnd, nodeEnd]`).
 */
export interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Applies splices that do not overlap, from the last to the first so earlier offsets stay valid. */
export const applySplices = (source: string, splices: readonly Splice[]): string =>
  [...splices]
    .sort((a, b) => b.start - a.start)
    .reduce((text, { start, end, text: insert }) => text.slice(0, start) + insert + text.slice(end), source);

const lineStart = (source: string, position: number): number => source.lastIndexOf('\n', position - 1) + 1;

/** Offset just after the newline ending the line that holds `position - 1`. */
const lineEndAfter = (source: string, position: number): number => {
  if (position > 0 && source[position - 1] === '\n') return position;
  const newline = source.indexOf('\n', position);
  return newline === -1 ? source.length : newline + 1;
};

const insertLines = (source: string, position: number, lines: string): Splice => {
  const needsNewline = position === source.length && source.length > 0 && !source.endsWith('\n');
  return { start: position, end: position, text: needsNewline ? `\n${lines}` : lines };
};

type QuoteStyle = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE';
const FLOW_INDICATORS = /[,[\]{}]/;

/** YAML source for a string scalar, in `style` when that style can hold it (yaml quotes otherwise). */
export const scalarSource = (value: string, style: string | undefined = 'PLAIN', inFlow = false): string => {
  const type: QuoteStyle = style === 'QUOTE_DOUBLE' || style === 'QUOTE_SINGLE' ? style : 'PLAIN';
  const text = stringify(value, { defaultStringType: type, defaultKeyType: 'PLAIN', lineWidth: 0 }).trimEnd();
  const isPlain = !text.startsWith('"') && !text.startsWith("'");
  return inFlow && isPlain && FLOW_INDICATORS.test(text) ? scalarSource(value, 'QUOTE_DOUBLE') : text;
};

/** Replaces a scalar's value, keeping its quoting style and any comment after it. */
export const replaceScalar = (node: Scalar, value: string, inFlow: boolean): Splice | undefined => {
  if (!node.range) return undefined;
  return { start: node.range[0], end: node.range[1], text: scalarSource(value, node.type, inFlow) };
};

const columnOf = (source: string, position: number): number => position - lineStart(source, position);

const pairEnd = (pair: Pair): number | undefined => {
  const node = isNode(pair.value) ? pair.value : isNode(pair.key) ? pair.key : undefined;
  return (node as Node | undefined)?.range?.[1];
};

/** A string, a list of strings or a one-level map of strings. */
export type PairValue = string | readonly string[] | Readonly<Record<string, string>>;

const flowScalar = (value: string): string => scalarSource(value, 'PLAIN', true);

const flowValue = (value: PairValue): string => {
  if (typeof value === 'string') return flowScalar(value);
  if (Array.isArray(value)) return `[${value.map(flowScalar).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${flowScalar(k)}: ${flowScalar(v)}`)
    .join(', ')}}`;
};

const blockPair = (key: string, value: PairValue, indent: string, step: string): string => {
  if (typeof value === 'string') return `${indent}${scalarSource(key)}: ${scalarSource(value)}\n`;
  const nested = Array.isArray(value)
    ? value.map((item) => `${indent}${step}- ${scalarSource(item)}\n`)
    : Object.entries(value).map(([k, v]) => blockPair(k, v, indent + step, step));
  return `${indent}${scalarSource(key)}:\n${nested.join('')}`;
};

/** Adds `key: value` as the last entry of a map (`value` may be a one-level map). */
export const insertPair = (
  source: string,
  map: YAMLMap,
  key: string,
  value: PairValue,
  step = '  ',
): Splice | undefined => {
  const first = map.items[0];
  const last = map.items.at(-1);
  if (map.flow) {
    const close = (map.range?.[1] ?? 0) - 1;
    if (source[close] !== '}') return undefined;
    const entry = `${scalarSource(key, 'PLAIN', true)}: ${flowValue(value)}`;
    return { start: close, end: close, text: map.items.length > 0 ? `, ${entry}` : entry };
  }
  const keyStart = isNode(first?.key) ? (first.key as Node).range?.[0] : undefined;
  const end = last && pairEnd(last);
  if (keyStart === undefined || end === undefined) return undefined;
  const indent = ' '.repeat(columnOf(source, keyStart));
  return insertLines(source, lineEndAfter(source, end), blockPair(key, value, indent, step));
};

const BLOCK_ITEM_PREFIX = /^[ \t]*-[ \t]+$/;

/** Inserts a string item into a sequence so that it lands at `index`. */
export const insertSeqItem = (
  source: string,
  seq: YAMLSeq,
  index: number,
  value: string,
): Splice | undefined => {
  const items = seq.items as unknown[];
  const rangeOf = (i: number): [number, number, number] | undefined => {
    const item = items[i];
    return isScalar(item) || isNode(item) ? ((item as Node).range ?? undefined) : undefined;
  };
  const first = rangeOf(0);
  const previous = index > 0 ? rangeOf(index - 1) : undefined;
  if (seq.flow) {
    if (items.length === 0) {
      const close = (seq.range?.[1] ?? 0) - 1;
      return source[close] === ']'
        ? { start: close, end: close, text: scalarSource(value, 'PLAIN', true) }
        : undefined;
    }
    const item = scalarSource(value, 'PLAIN', true);
    if (previous) return { start: previous[1], end: previous[1], text: `, ${item}` };
    return first ? { start: first[0], end: first[0], text: `${item}, ` } : undefined;
  }
  if (!first || (index > 0 && !previous)) return undefined;
  const prefixText = source.slice(lineStart(source, first[0]), first[0]);
  const prefix = BLOCK_ITEM_PREFIX.test(prefixText) ? prefixText : '- ';
  const line = `${prefix}${scalarSource(value)}\n`;
  return previous
    ? insertLines(source, lineEndAfter(source, previous[1]), line)
    : insertLines(source, lineStart(source, first[0]), line);
};

/** Column of a block map's first key (its indentation), when it has one. */
export const keyColumn = (source: string, map: YAMLMap): number | undefined => {
  const key = map.items[0]?.key;
  const start = isNode(key) ? (key as Node).range?.[0] : undefined;
  return start === undefined ? undefined : columnOf(source, start);
};
