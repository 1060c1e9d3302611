/**
 * Helm's `--set` parser (helm/helm pkg/strvals/parser.go, `ParseInto` and `ParseIntoString`), which
 * Flux's helm-controller runs for every `valuesFrom` entry with a `targetPath` (fluxcd/pkg
 * chartutil/values.go `ReplacePathValue`, `ReplacePathLiteralValue`). Ported line for line, because
 * its quirks are what the cluster sees: commas split assignments, `{a,b}` is a list, `[n]` pads a
 * list with nulls, `\` escapes the next character, untyped values become booleans, null or int64
 * (floats stay strings), and it writes INTO the maps it is given (callers rely on that aliasing,
 * see compose-values.ts). The JSON variant (`--set-json`) and file readers are not ported.
 */

export type Values = Record<string, unknown>;

/** Go's `MaxIndex` and `MaxNestedNameLevel`. */
const MAX_INDEX = 65536;
const MAX_NESTED_NAME_LEVEL = 30;

class EndOfInput extends Error {
  constructor() {
    super('EOF');
  }
}

class NotAList extends Error {
  constructor() {
    super('not a list');
  }
}

/** A parse failure, with Helm's message. */
export class StrvalsError extends Error {
  override readonly name = 'StrvalsError';
}

const isMap = (value: unknown): value is Values =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Go's `bytes.Buffer` read rune by rune, with one rune of unread. */
class Scanner {
  private readonly runes: string[];
  private position = 0;

  constructor(text: string) {
    this.runes = Array.from(text);
  }

  read(): string | undefined {
    return this.position < this.runes.length ? this.runes[this.position++] : undefined;
  }

  unread(): void {
    this.position--;
  }
}

/**
 * `runesUntil`: reads up to a stop rune (consumed), a backslash taking the next rune literally; `end` when the
 * input ran out first (Go's io.EOF, with what was read so far).
 */
const until = (
  scanner: Scanner,
  stop: ReadonlySet<string>,
): { value: string; last?: string; end: boolean } => {
  let value = '';
  for (;;) {
    const rune = scanner.read();
    if (rune === undefined) return { value, end: true };
    if (stop.has(rune)) return { value, last: rune, end: false };
    if (rune === '\\') {
      const next = scanner.read();
      if (next === undefined) return { value, end: true };
      value += next;
    } else value += rune;
  }
};

/** `typedVal`: `stringBool` (ParseIntoString) keeps every value a string. */
const typedVal = (value: string, stringBool: boolean): unknown => {
  if (stringBool) return value;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (value === '0') return 0;
  // strconv.ParseInt(val, 10, 64): optional sign, decimal digits, within int64.
  if (value !== '' && value[0] !== '0' && /^[+-]?\d+$/.test(value)) {
    const big = BigInt(value);
    if (big >= -(2n ** 63n) && big < 2n ** 63n) return Number(big);
  }
  return value;
};

const KEY_STOP = new Set(['=', '[', ',', '.']);
const INDEX_STOP = new Set([']']);
const LIST_ITEM_STOP = new Set(['[', '.', '=']);
const VALUE_STOP = new Set([',']);
const LIST_STOP = new Set([',', '}']);

class Parser {
  constructor(
    private readonly scanner: Scanner,
    private readonly data: Values,
    private readonly stringBool: boolean,
  ) {}

  parse(): void {
    for (;;) {
      try {
        this.key(this.data, 0);
      } catch (error) {
        if (error instanceof EndOfInput) return;
        throw error;
      }
    }
  }

  /** Go's `key`, including its recover(): a type assertion that fails is a parse error. */
  private key(data: Values, nestedNameLevel: number): void {
    try {
      this.keyUnguarded(data, nestedNameLevel);
    } catch (error) {
      if (error instanceof TypeAssertion) throw new StrvalsError(`unable to parse key: ${error.message}`);
      throw error;
    }
  }

  private keyUnguarded(data: Values, level: number): void {
    const { value: k, last, end } = until(this.scanner, KEY_STOP);
    if (end) {
      if (k.length === 0) throw new EndOfInput();
      throw new StrvalsError(`key "${k}" has no value`);
    }
    switch (last) {
      case '[': {
        const index = this.keyIndex();
        let list: unknown[] = [];
        if (Object.hasOwn(data, k)) list = asList(data[k]);
        const result = this.listItem(list, index, level);
        set(data, k, result.list);
        if (result.error) throw result.error;
        return;
      }
      case '=': {
        const { list, error } = this.valList();
        if (error === undefined) {
          set(data, k, list);
          return;
        }
        if (error instanceof EndOfInput) {
          set(data, k, '');
          throw error;
        }
        if (error instanceof NotAList) {
          const { value } = until(this.scanner, VALUE_STOP);
          set(data, k, typedVal(value, this.stringBool));
          return;
        }
        throw error;
      }
      case ',':
        set(data, k, '');
        throw new StrvalsError(`key "${k}" has no value (cannot end with ,)`);
      default: {
        // '.'
        const nested = level + 1;
        if (nested > MAX_NESTED_NAME_LEVEL) {
          throw new StrvalsError(
            `value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`,
          );
        }
        let inner: Values = {};
        if (Object.hasOwn(data, k)) inner = asMap(data[k]);
        let failure: unknown;
        try {
          this.key(inner, nested);
        } catch (error) {
          failure = error;
        }
        if (failure === undefined && Object.keys(inner).length === 0)
          throw new StrvalsError(`key map "${k}" has no value`);
        if (Object.keys(inner).length !== 0) set(data, k, inner);
        if (failure !== undefined) throw failure;
      }
    }
  }

  private keyIndex(): number {
    const { value, end } = until(this.scanner, INDEX_STOP);
    if (end) throw new EndOfInput();
    // strconv.Atoi: optional sign and decimal digits only.
    if (!/^[+-]?\d+$/.test(value))
      throw new StrvalsError(`error parsing index: strconv.Atoi: parsing "${value}": invalid syntax`);
    return Number(value);
  }

  /** Go's `listItem`: returns the list (possibly a new one) and the error, as Go does. */
  private listItem(list: unknown[], index: number, level: number): { list: unknown[]; error?: unknown } {
    if (index < 0) return { list, error: new StrvalsError(`negative ${index} index not allowed`) };
    const { value: k, last, end } = until(this.scanner, LIST_ITEM_STOP);
    if (k.length > 0)
      return { list, error: new StrvalsError(`unexpected data at end of array index: "${k}"`) };
    if (end) return { list, error: new EndOfInput() };
    switch (last) {
      case '=': {
        const { list: items, error } = this.valList();
        if (error === undefined) return setIndex(list, index, items);
        if (error instanceof EndOfInput) return setIndex(list, index, '');
        if (error instanceof NotAList) {
          const { value } = until(this.scanner, VALUE_STOP);
          return setIndex(list, index, typedVal(value, this.stringBool));
        }
        return { list, error };
      }
      case '[': {
        let next: number;
        try {
          next = this.keyIndex();
        } catch (error) {
          return { list, error };
        }
        let current: unknown[] = [];
        if (list.length > index && list[index] !== null && list[index] !== undefined)
          current = asList(list[index]);
        const inner = this.listItem(current, next, level);
        if (inner.error) return { list, error: inner.error };
        return setIndex(list, index, inner.list);
      }
      default: {
        // '.'
        let inner: Values = {};
        if (list.length > index) {
          const existing = list[index];
          if (isMap(existing)) inner = existing;
          else {
            list[index] = {};
            inner = list[index] as Values;
          }
        }
        try {
          this.key(inner, level);
        } catch (error) {
          return { list, error };
        }
        return setIndex(list, index, inner);
      }
    }
  }

  /** `valList`: `{a,b}` is a list; anything else is NotAList (the rune is unread). */
  private valList(): { list: unknown[]; error?: unknown } {
    const first = this.scanner.read();
    if (first === undefined) return { list: [], error: new EndOfInput() };
    if (first !== '{') {
      this.scanner.unread();
      return { list: [], error: new NotAList() };
    }
    const list: unknown[] = [];
    for (;;) {
      const { value, last, end } = until(this.scanner, LIST_STOP);
      if (end) return { list, error: new StrvalsError("list must terminate with '}'") };
      if (last === '}') {
        const next = this.scanner.read();
        if (next !== undefined && next !== ',') this.scanner.unread();
        list.push(typedVal(value, this.stringBool));
        return { list };
      }
      list.push(typedVal(value, this.stringBool));
    }
  }
}

/** A Go type assertion (`data[k].([]any)`) that panics; `key` turns it into a parse error. */
class TypeAssertion extends Error {}

const goType = (value: unknown): string =>
  value === null || value === undefined
    ? 'nil'
    : Array.isArray(value)
      ? '[]interface {}'
      : isMap(value)
        ? 'map[string]interface {}'
        : typeof value === 'string'
          ? 'string'
          : typeof value === 'boolean'
            ? 'bool'
            : Number.isInteger(value)
              ? 'int64'
              : 'float64';

const asList = (value: unknown): unknown[] => {
  if (Array.isArray(value)) return value;
  throw new TypeAssertion(`interface conversion: interface {} is ${goType(value)}, not []interface {}`);
};

const asMap = (value: unknown): Values => {
  if (isMap(value)) return value;
  throw new TypeAssertion(
    `interface conversion: interface {} is ${goType(value)}, not map[string]interface {}`,
  );
};

const set = (data: Values, key: string, value: unknown): void => {
  if (key === '') return;
  data[key] = value;
};

/** Go's `setIndex`: writes in place, or into a new, longer list padded with nulls. */
const setIndex = (list: unknown[], index: number, value: unknown): { list: unknown[]; error?: unknown } => {
  if (index < 0) return { list, error: new StrvalsError(`negative ${index} index not allowed`) };
  if (index > MAX_INDEX)
    return {
      list,
      error: new StrvalsError(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`),
    };
  let target = list;
  if (list.length <= index) {
    target = [...list, ...new Array<unknown>(index + 1 - list.length).fill(null)];
  }
  target[index] = value;
  return { list: target };
};

/** `strvals.ParseInto`: typed values (booleans, null, int64). Writes into `dest`. */
export const parseInto = (text: string, dest: Values): void =>
  new Parser(new Scanner(text), dest, false).parse();

/** `strvals.ParseIntoString`: every value a string (`--set-string`). Writes into `dest`. */
export const parseIntoString = (text: string, dest: Values): void =>
  new Parser(new Scanner(text), dest, true).parse();
