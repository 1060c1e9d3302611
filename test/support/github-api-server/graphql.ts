import type { GitStore } from './git-store';

/**
 * The slice of GitHub's GraphQL API (https://docs.github.com/graphql/reference/objects#commit) the
 * adapter's snapshot query uses: repository → ref(qualifiedName) → target → `... on Commit` →
 * oid, tree { oid }, file(path) { oid type object { ... on Blob { text isBinary isTruncated byteSize } } }.
 * Anything else is refused with an error naming the unsupported part, so the adapter cannot drift
 * into GraphQL the fake does not really answer.
 */

export class GraphqlUnsupported extends Error {}

interface Field {
  readonly alias: string;
  readonly name: string;
  readonly args: Readonly<Record<string, { variable: string } | { value: string }>>;
  readonly selections: readonly Selection[];
}
interface Fragment {
  readonly on: string;
  readonly selections: readonly Selection[];
}
type Selection = Field | Fragment;

const TOKEN = /\s*(\.\.\.|[{}():$!,=@]|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*|#[^\n]*)/y;

const tokenize = (source: string): string[] => {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(source);
    if (!match) throw new GraphqlUnsupported(`unsupported syntax near: ${source.slice(TOKEN.lastIndex, 40)}`);
    if (!match[1]!.startsWith('#') && match[1] !== ',') tokens.push(match[1]!);
  }
  return tokens;
};

const parse = (source: string): readonly Selection[] => {
  const tokens = tokenize(source);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++] ?? '';
  const expect = (t: string) => {
    const got = next();
    if (got !== t) throw new GraphqlUnsupported(`expected "${t}" but found "${got}"`);
  };
  const selectionSet = (): Selection[] => {
    expect('{');
    const out: Selection[] = [];
    while (peek() !== '}') {
      if (peek() === undefined) throw new GraphqlUnsupported('unterminated selection set');
      if (peek() === '...') {
        next();
        if (next() !== 'on')
          throw new GraphqlUnsupported('only inline fragments (`... on Type`) are supported');
        out.push({ on: next(), selections: selectionSet() });
        continue;
      }
      let alias = next();
      let name = alias;
      if (peek() === ':') {
        next();
        name = next();
      }
      const args: Record<string, { variable: string } | { value: string }> = {};
      if (peek() === '(') {
        next();
        while (peek() !== ')') {
          const arg = next();
          expect(':');
          const v = next();
          if (v === '$') args[arg] = { variable: next() };
          else if (v.startsWith('"')) args[arg] = { value: JSON.parse(v) as string };
          else throw new GraphqlUnsupported(`unsupported argument value for ${arg}: ${v}`);
        }
        next();
      }
      if (peek() === '@') throw new GraphqlUnsupported('directives are not supported');
      out.push({ alias, name, args, selections: peek() === '{' ? selectionSet() : [] });
      alias = '';
    }
    next();
    return out;
  };
  if (peek() === 'query') {
    next();
    if (peek() !== '(' && peek() !== '{') next(); // operation name
    if (peek() === '(') {
      while (next() !== ')') {
        if (peek() === undefined) throw new GraphqlUnsupported('unterminated variable definitions');
      }
    }
  } else if (peek() !== '{') {
    throw new GraphqlUnsupported(`only query operations are supported, found "${peek()}"`);
  }
  const root = selectionSet();
  if (i !== tokens.length) throw new GraphqlUnsupported('only one operation per document is supported');
  return root;
};

type Value = unknown;
export interface GraphqlContext {
  readonly store: GitStore;
  readonly owner: string;
  readonly repo: string;
  /** Blobs larger than this come back with `isTruncated: true` and `text: null`. */
  readonly textLimit: number;
}
type Resolver = (parent: Value, args: Record<string, string>, ctx: GraphqlContext) => Promise<Value> | Value;
interface Node {
  readonly __typename: string;
}

const isBinary = (bytes: Buffer): boolean => {
  if (bytes.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
};

const SCHEMA: Record<string, Record<string, Resolver>> = {
  Query: {
    repository: (_p, a, ctx) =>
      a.owner === ctx.owner && a.name === ctx.repo ? { __typename: 'Repository' } : null,
  },
  Repository: {
    ref: async (_p, a, ctx) => {
      const branch = a.qualifiedName?.replace(/^refs\/heads\//, '') ?? '';
      const oid = await ctx.store.resolveBranch(branch);
      return oid ? { __typename: 'Ref', oid } : null;
    },
  },
  Ref: { target: (p) => ({ __typename: 'Commit', oid: (p as { oid: string }).oid }) },
  Commit: {
    oid: (p) => (p as { oid: string }).oid,
    tree: async (p, _a, ctx) => ({
      __typename: 'Tree',
      oid: (await ctx.store.readCommit((p as { oid: string }).oid)).tree,
    }),
    file: async (p, a, ctx) => {
      const parts = (a.path ?? '').split('/');
      let tree = (await ctx.store.readCommit((p as { oid: string }).oid)).tree;
      for (const [index, part] of parts.entries()) {
        const entry = (await ctx.store.readTree(tree)).find((e) => e.name === part);
        if (!entry) return null;
        if (index === parts.length - 1) return { __typename: 'TreeEntry', ...entry };
        if (entry.type !== 'tree') return null;
        tree = entry.sha;
      }
      return null;
    },
  },
  Tree: { oid: (p) => (p as { oid: string }).oid },
  TreeEntry: {
    oid: (p) => (p as { sha: string }).sha,
    type: (p) => (p as { type: string }).type,
    object: (p) => {
      const entry = p as { sha: string; type: string };
      return { __typename: entry.type === 'tree' ? 'Tree' : 'Blob', oid: entry.sha };
    },
  },
  Blob: {
    oid: (p) => (p as { oid: string }).oid,
    byteSize: async (p, _a, ctx) => (await ctx.store.readBlob((p as { oid: string }).oid)).byteLength,
    isBinary: async (p, _a, ctx) => isBinary(await ctx.store.readBlob((p as { oid: string }).oid)),
    isTruncated: async (p, _a, ctx) =>
      (await ctx.store.readBlob((p as { oid: string }).oid)).byteLength > ctx.textLimit,
    text: async (p, _a, ctx) => {
      const bytes = await ctx.store.readBlob((p as { oid: string }).oid);
      return isBinary(bytes) || bytes.byteLength > ctx.textLimit ? null : bytes.toString('utf8');
    },
  },
};

const execute = async (
  type: string,
  parent: Value,
  selections: readonly Selection[],
  variables: Record<string, unknown>,
  ctx: GraphqlContext,
): Promise<Record<string, Value>> => {
  const out: Record<string, Value> = {};
  for (const selection of selections) {
    if ('on' in selection) {
      if (!SCHEMA[selection.on]) throw new GraphqlUnsupported(`unsupported fragment type ${selection.on}`);
      if ((parent as Node).__typename === selection.on) {
        Object.assign(out, await execute(selection.on, parent, selection.selections, variables, ctx));
      }
      continue;
    }
    const resolver = SCHEMA[type]?.[selection.name];
    if (!resolver) throw new GraphqlUnsupported(`unsupported field ${type}.${selection.name}`);
    const args: Record<string, string> = {};
    for (const [name, arg] of Object.entries(selection.args)) {
      const value = 'variable' in arg ? variables[arg.variable] : arg.value;
      if (typeof value !== 'string') throw new GraphqlUnsupported(`argument ${name} must be a string`);
      args[name] = value;
    }
    const value = await resolver(parent, args, ctx);
    if (value !== null && typeof value === 'object' && selection.selections.length > 0) {
      const childType = (value as Node).__typename;
      out[selection.alias] = await execute(childType, value, selection.selections, variables, ctx);
    } else if (value !== null && typeof value === 'object') {
      throw new GraphqlUnsupported(`field ${type}.${selection.name} needs a selection set`);
    } else {
      out[selection.alias] = value;
    }
  }
  return out;
};

export const answerGraphql = async (
  body: { query?: unknown; variables?: unknown },
  ctx: GraphqlContext,
): Promise<{ data: Record<string, Value> }> => {
  if (typeof body.query !== 'string') throw new GraphqlUnsupported('body.query must be a string');
  const variables = (body.variables ?? {}) as Record<string, unknown>;
  return { data: await execute('Query', { __typename: 'Query' }, parse(body.query), variables, ctx) };
};
