/**
 * The part of Bitbucket's filter language (`q`, https://developer.atlassian.com/cloud/bitbucket/rest/intro/#filtering)
 * the stand-in understands: comparisons `field op value` with `=`, `!=`, `~` (contains, case-insensitive),
 * `!~`, `>`, `>=`, `<`, `<=`; values as double-quoted strings (backslash escapes), numbers, `true`,
 * `false`, `null`; `AND`, `OR` (any case) and parentheses. A field holding a list (a file's
 * `attributes`) matches `=` when any element does. Anything else is a FilterError (the stand-in answers
 * 400 and records it: the adapter asked for something the stand-in cannot reproduce faithfully).
 */

export class FilterError extends Error {}

type Value = string | number | boolean | null;
export type FieldValue = Value | readonly Value[] | undefined;
export type Filter = (field: (name: string) => FieldValue) => boolean;

type Token =
  | { readonly kind: 'word'; readonly text: string }
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'op'; readonly text: string }
  | { readonly kind: 'paren'; readonly text: '(' | ')' };

const tokenize = (query: string): Token[] => {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: 'paren', text: c });
      i++;
    } else if (c === '"') {
      let text = '';
      i++;
      while (i < query.length && query[i] !== '"') {
        if (query[i] === '\\' && i + 1 < query.length) i++;
        text += query[i];
        i++;
      }
      if (i >= query.length) throw new FilterError(`unterminated string in ${query}`);
      i++;
      tokens.push({ kind: 'string', text });
    } else {
      const op = /^(!=|!~|>=|<=|=|~|>|<)/.exec(query.slice(i));
      if (op) {
        tokens.push({ kind: 'op', text: op[1]! });
        i += op[1]!.length;
        continue;
      }
      const word = /^[A-Za-z0-9_.:+-]+/.exec(query.slice(i));
      if (!word) throw new FilterError(`unexpected "${c}" in ${query}`);
      tokens.push({ kind: 'word', text: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
};

const literalOf = (token: Token | undefined): Value => {
  if (token?.kind === 'string') return token.text;
  if (token?.kind === 'word') {
    if (/^-?\d+(\.\d+)?$/.test(token.text)) return Number(token.text);
    if (token.text === 'true' || token.text === 'false') return token.text === 'true';
    if (token.text === 'null') return null;
  }
  throw new FilterError(`expected a value, got ${token?.text ?? 'the end'}`);
};

const compare = (op: string, actual: Value, expected: Value): boolean => {
  switch (op) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '~':
    case '!~': {
      const contains =
        typeof actual === 'string' &&
        typeof expected === 'string' &&
        actual.toLowerCase().includes(expected.toLowerCase());
      return op === '~' ? contains : !contains;
    }
    default: {
      if (actual === null || expected === null) return false;
      if (op === '>') return actual > expected;
      if (op === '>=') return actual >= expected;
      if (op === '<') return actual < expected;
      return actual <= expected;
    }
  }
};

export const parseFilter = (query: string, fields: readonly string[]): Filter => {
  const tokens = tokenize(query);
  let at = 0;
  const keyword = (word: string) => {
    const token = tokens[at];
    return token?.kind === 'word' && token.text.toUpperCase() === word;
  };
  const comparison = (): Filter => {
    const field = tokens[at++];
    if (field?.kind !== 'word' || !fields.includes(field.text))
      throw new FilterError(
        `the stand-in filters only on ${fields.join(', ')}; got ${field?.text ?? 'nothing'}`,
      );
    const op = tokens[at++];
    if (op?.kind !== 'op') throw new FilterError(`expected an operator after ${field.text}`);
    const expected = literalOf(tokens[at++]);
    return (get) => {
      const actual = get(field.text);
      const values: readonly Value[] = Array.isArray(actual)
        ? actual
        : [actual === undefined ? null : (actual as Value)];
      return op.text.startsWith('!')
        ? values.every((v) => compare(op.text, v, expected))
        : values.some((v) => compare(op.text, v, expected));
    };
  };
  const factor = (): Filter => {
    const token = tokens[at];
    if (token?.kind === 'paren' && token.text === '(') {
      at++;
      const inner = disjunction();
      const close = tokens[at++];
      if (close?.kind !== 'paren' || close.text !== ')') throw new FilterError('missing ")"');
      return inner;
    }
    return comparison();
  };
  const conjunction = (): Filter => {
    const parts = [factor()];
    while (keyword('AND')) {
      at++;
      parts.push(factor());
    }
    return (get) => parts.every((p) => p(get));
  };
  const disjunction = (): Filter => {
    const parts = [conjunction()];
    while (keyword('OR')) {
      at++;
      parts.push(conjunction());
    }
    return (get) => parts.some((p) => p(get));
  };
  const filter = disjunction();
  if (at !== tokens.length) throw new FilterError(`unexpected ${tokens[at]!.text} in ${query}`);
  return filter;
};
