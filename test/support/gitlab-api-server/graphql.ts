import {
  buildSchema,
  type FieldNode,
  type GraphQLError,
  graphql,
  Kind,
  parse,
  type SelectionSetNode,
  type ValueNode,
  validate,
} from 'graphql';
import type { GitStore, TreeEntry } from '../github-api-server/git-store';

/**
 * The part of GitLab's GraphQL schema the adapter reads, transcribed from GitLab's type definitions
 * (https://docs.gitlab.com/api/graphql/reference/): `Query.project(fullPath:)`,
 * `Repository.blobs(paths:, ref:)` (app/graphql/resolvers/blobs_resolver.rb: missing paths are left
 * out, no error), `Repository.tree(path:, ref:, recursive:)` (app/graphql/resolvers/tree_resolver.rb:
 * a path that does not exist gives a tree with no entries), `RepositoryBlob`
 * (app/graphql/types/repository/blob_type.rb: `rawTextBlob` is null for binary data), `Tree`
 * (app/graphql/types/tree/tree_type.rb) and its entries (app/graphql/types/tree/entry_type.rb: `sha`
 * is the entry's object id). Connections are paged at most 100 (GitlabSchema default_max_page_size).
 * Every query is validated against this schema, and refused above GitLab's complexity limit for an
 * authenticated caller, 250 (app/graphql/gitlab_schema.rb), with the cost rules of
 * app/graphql/types/base_field.rb as read (resolver fields: children + resolver complexity + 1 for
 * Gitaly, times 1 + page size × 1% for connections; BlobsResolver adds one per path).
 */

const SDL = /* GraphQL */ `
  scalar BigInt
  type Query { project(fullPath: ID!): Project }
  type Project { id: ID! fullPath: ID! repository: Repository }
  type Repository {
    rootRef: String
    empty: Boolean!
    exists: Boolean!
    blobs(paths: [String!]!, ref: String, first: Int, after: String): RepositoryBlobConnection
    tree(path: String = "", ref: String, recursive: Boolean = false): Tree
  }
  type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
  type RepositoryBlobConnection { nodes: [RepositoryBlob] pageInfo: PageInfo! }
  type RepositoryBlob {
    id: ID! oid: String! path: String! name: String mode: String
    size: BigInt rawSize: BigInt rawBlob: String rawTextBlob: String
  }
  enum EntryType { tree blob commit }
  type Tree {
    trees(first: Int, after: String): TreeEntryConnection!
    blobs(first: Int, after: String): BlobConnection!
  }
  type TreeEntryConnection { nodes: [TreeEntry] pageInfo: PageInfo! }
  type TreeEntry { id: ID! sha: String! name: String! path: String! flatPath: String! type: EntryType! }
  type BlobConnection { nodes: [Blob] pageInfo: PageInfo! }
  type Blob { id: ID! sha: String! name: String! path: String! flatPath: String! type: EntryType! mode: String }
`;

const schema = buildSchema(SDL);

export const MAX_COMPLEXITY = 250;
const MAX_PAGE_SIZE = 100;

export class GraphqlUnsupported extends Error {}

const argument = (field: FieldNode, name: string, variables: Record<string, unknown>): unknown => {
  const node = field.arguments?.find((a) => a.name.value === name)?.value;
  const value = (v: ValueNode | undefined): unknown => {
    if (!v) return undefined;
    if (v.kind === Kind.VARIABLE) return variables[v.name.value];
    if (v.kind === Kind.LIST) return v.values.map(value);
    if (v.kind === Kind.INT) return Number(v.value);
    if (v.kind === Kind.NULL) return null;
    if ('value' in v) return v.value;
    return undefined;
  };
  return value(node);
};

const RESOLVER_FIELDS = new Set(['project', 'blobs@Repository', 'tree']);
const GITALY_FIELDS = new Set(['blobs@Repository', 'tree', 'trees', 'blobs@Tree']);

/** The query's complexity as GitLab computes it (see the module comment); fragments are not used here. */
export const complexityOf = (document: string, variables: Record<string, unknown>): number => {
  const ast = parse(document);
  const walk = (set: SelectionSetNode | undefined, parent: string): number => {
    let total = 0;
    for (const selection of set?.selections ?? []) {
      if (selection.kind !== Kind.FIELD) throw new GraphqlUnsupported('fragments are not supported here');
      const name = selection.name.value;
      const key = name === 'blobs' ? `blobs@${parent}` : name;
      const child = walk(
        selection.selectionSet,
        name === 'repository' ? 'Repository' : name === 'tree' ? 'Tree' : name,
      );
      if (RESOLVER_FIELDS.has(key)) {
        const paths =
          key === 'blobs@Repository'
            ? ((argument(selection, 'paths', variables) as unknown[]) ?? []).length
            : 0;
        let cost = child + 1 + paths + (GITALY_FIELDS.has(key) ? 1 : 0);
        if (key === 'blobs@Repository') {
          const first = Math.min(
            Number(argument(selection, 'first', variables) ?? MAX_PAGE_SIZE),
            MAX_PAGE_SIZE,
          );
          cost += cost * first * 0.01;
        }
        total += Math.floor(cost);
      } else {
        total += 1 + (GITALY_FIELDS.has(key) ? 1 : 0) + child;
      }
    }
    return total;
  };
  const operation = ast.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION)
    throw new GraphqlUnsupported('no operation');
  return walk(operation.selectionSet, 'Query');
};

interface Entry {
  readonly type: 'blob' | 'tree' | 'commit';
  readonly sha: string;
  readonly mode: string;
  readonly path: string;
}

const cursorOf = (offset: number): string => Buffer.from(String(offset)).toString('base64');
const offsetOf = (cursor: unknown): number =>
  typeof cursor === 'string' ? Number(Buffer.from(cursor, 'base64').toString('utf8')) + 1 : 0;

/** graphql-ruby's array connection: `first` (at most 100) items after the cursor's offset. */
const connection = <T>(items: readonly T[], args: { first?: number; after?: string }) => {
  const start = offsetOf(args.after);
  const size = Math.min(args.first ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const page = items.slice(start, start + size);
  return {
    nodes: page,
    pageInfo: {
      hasNextPage: start + size < items.length,
      hasPreviousPage: start > 0,
      startCursor: page.length ? cursorOf(start) : null,
      endCursor: page.length ? cursorOf(start + page.length - 1) : null,
    },
  };
};

const isBinary = (data: Buffer): boolean => {
  if (data.subarray(0, 8000).includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return false;
  } catch {
    return true;
  }
};

export interface GraphqlContext {
  readonly store: GitStore;
  readonly projectPath: string;
  readonly defaultBranch: string;
  /** Blob data longer than this comes back cut short (GitLab loads blobs with a size limit). */
  readonly blobDataLimit: number;
}

const resolveRef = async (ctx: GraphqlContext, ref: unknown): Promise<string | undefined> => {
  const name = typeof ref === 'string' && ref.length > 0 ? ref : ctx.defaultBranch;
  if (/^[0-9a-f]{40}$/.test(name)) return (await ctx.store.objectType(name)) === 'commit' ? name : undefined;
  return ctx.store.resolveBranch(name);
};

const entriesAt = async (
  ctx: GraphqlContext,
  commit: string | undefined,
  path: string,
  recursive: boolean,
) => {
  if (!commit) return [];
  const spec = path === '' ? `${commit}^{tree}` : `${commit}:${path}`;
  const args = ['ls-tree', '-z', ...(recursive ? ['-r', '-t'] : []), spec];
  const out = await ctx.store.run(args).catch(() => undefined);
  if (!out) return [];
  return out
    .toString('utf8')
    .split('\0')
    .filter((line) => line.length > 0)
    .map((line): Entry => {
      const tab = line.indexOf('\t');
      const [mode, type, sha] = line.slice(0, tab).split(' ');
      const name = line.slice(tab + 1);
      return {
        mode: mode!,
        type: type as Entry['type'],
        sha: sha!,
        path: path === '' ? name : `${path}/${name}`,
      };
    });
};

/** The blobs among `paths` at `commit`, walking its trees (read once per tree id, cached by the store). */
const blobsAt = async (
  ctx: GraphqlContext,
  commit: string,
  paths: readonly string[],
): Promise<Map<string, Entry>> => {
  const root = (await ctx.store.readCommit(commit)).tree;
  const found = new Map<string, Entry>();
  for (const path of paths) {
    let tree: string | undefined = root;
    const parts = path.split('/');
    for (const [i, part] of parts.entries()) {
      const entries: readonly TreeEntry[] = tree === undefined ? [] : await ctx.store.readTree(tree);
      const entry = entries.find((e) => e.name === part);
      if (!entry) break;
      if (i === parts.length - 1) {
        if (entry.type === 'blob') found.set(path, { mode: entry.mode, type: 'blob', sha: entry.sha, path });
      } else tree = entry.type === 'tree' ? entry.sha : undefined;
    }
  }
  return found;
};

const entryObject = (e: Entry) => ({
  id: Buffer.from(`gid://gitlab/Gitlab::Graphql::Representation::TreeEntry/${e.sha}`).toString('base64'),
  sha: e.sha,
  name: e.path.split('/').at(-1),
  path: e.path,
  flatPath: e.path,
  type: e.type,
  mode: e.mode,
});

const rootValue = (ctx: GraphqlContext) => ({
  project: ({ fullPath }: { fullPath: string }) =>
    fullPath !== ctx.projectPath
      ? null
      : {
          id: 'gid://gitlab/Project/1',
          fullPath,
          repository: {
            rootRef: ctx.defaultBranch,
            empty: async () => (await ctx.store.resolveBranch(ctx.defaultBranch)) === undefined,
            exists: true,
            blobs: async (args: { paths: string[]; ref?: string; first?: number; after?: string }) => {
              const commit = await resolveRef(ctx, args.ref);
              const nodes = [];
              const listed =
                commit && args.paths.length > 0 ? await blobsAt(ctx, commit, args.paths) : new Map();
              for (const path of args.paths) {
                const found = listed.get(path);
                if (!found) continue;
                const data = await ctx.store.readBlob(found.sha);
                const shown = data.subarray(0, ctx.blobDataLimit).toString('utf8');
                nodes.push({
                  id: `gid://gitlab/Blob/${found.sha}`,
                  oid: found.sha,
                  path,
                  name: path.split('/').at(-1),
                  mode: found.mode,
                  size: String(data.byteLength),
                  rawSize: String(data.byteLength),
                  rawBlob: shown,
                  rawTextBlob: isBinary(data) ? null : shown,
                });
              }
              return connection(nodes, args);
            },
            tree: async (args: { path: string; ref?: string; recursive: boolean }) => {
              const commit = await resolveRef(ctx, args.ref);
              const path = args.path.replace(/\/+$/, '');
              const entries = await entriesAt(ctx, commit, path, args.recursive);
              return {
                trees: (a: { first?: number; after?: string }) =>
                  connection(entries.filter((e) => e.type === 'tree').map(entryObject), a),
                blobs: (a: { first?: number; after?: string }) =>
                  connection(entries.filter((e) => e.type === 'blob').map(entryObject), a),
              };
            },
          },
        },
});

export interface GraphqlAnswer {
  readonly status: number;
  readonly body: unknown;
  /** A problem the adapter caused (invalid query, too complex): surfaced to the test as well. */
  readonly problem?: string;
}

export const answerGraphql = async (ctx: GraphqlContext, body: unknown): Promise<GraphqlAnswer> => {
  const { query, variables } = (body ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
  if (typeof query !== 'string') {
    return {
      status: 400,
      body: { errors: [{ message: 'No query string was present' }] },
      problem: 'no query',
    };
  }
  let document: ReturnType<typeof parse>;
  try {
    document = parse(query);
  } catch (error) {
    const message = (error as GraphQLError).message;
    return { status: 200, body: { errors: [{ message }] }, problem: message };
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) {
    const errors = invalid.map((e) => ({ message: e.message, locations: e.locations }));
    return { status: 200, body: { errors }, problem: invalid.map((e) => e.message).join('; ') };
  }
  const complexity = complexityOf(query, variables ?? {});
  if (complexity > MAX_COMPLEXITY) {
    const message = `Query has complexity of ${complexity}, which exceeds max complexity of ${MAX_COMPLEXITY}`;
    return { status: 200, body: { errors: [{ message }] }, problem: message };
  }
  const result = await graphql({
    schema,
    source: query,
    rootValue: rootValue(ctx),
    variableValues: variables ?? {},
  });
  const problem = result.errors?.map((e) => e.message).join('; ');
  return { status: 200, body: result, ...(problem ? { problem } : {}) };
};
