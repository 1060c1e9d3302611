/**
 * One GraphQL query reads everything planning needs: the branch head, its root tree, the text of each
 * requested file and the tree id of each requested directory, all from the SAME commit
 * (`Commit.file(path:)`, https://docs.github.com/graphql/reference/objects#commit), so the snapshot is
 * consistent even while other writers move the branch. Paths travel as variables, never spliced into
 * the query text. One request instead of one REST GET per file keeps a run inside GitHub's rate limits.
 * Every document this module can build is validated against GitHub's published schema in the tests
 * (@octokit/graphql-schema).
 */

export interface SnapshotQuery {
  readonly query: string;
  readonly variables: Record<string, string>;
  /** The aliases of the requested files, trees, directories and existence checks (`f0`, `t0`, `d0`, `e0`…). */
  readonly pathAliases: ReadonlySet<string>;
}

export interface BlobNode {
  readonly text: string | null;
  readonly isBinary: boolean;
  readonly isTruncated: boolean;
}

export interface TreeEntryNode {
  readonly oid: string;
  readonly type: string;
  readonly object?: Partial<BlobNode> | null;
}

export interface SnapshotResponse {
  readonly repository: {
    /** True for a repository without a single commit (https://docs.github.com/graphql/reference/objects#repository). */
    readonly isEmpty: boolean;
    readonly defaultBranchRef: { readonly name: string } | null;
    readonly ref: {
      readonly target:
        | ({ readonly oid: string; readonly tree: { readonly oid: string } } & Record<string, unknown>)
        | null;
    } | null;
  } | null;
}

export const buildSnapshotQuery = (
  owner: string,
  repo: string,
  branch: string,
  request: {
    readonly files: readonly string[];
    readonly trees: readonly string[];
    readonly directories?: readonly string[];
    readonly exists?: readonly string[];
  },
): SnapshotQuery => {
  const variables: Record<string, string> = { owner, repo, ref: `refs/heads/${branch}` };
  const declarations = ['$owner: String!', '$repo: String!', '$ref: String!'];
  const selections: string[] = [];
  const pathAliases = new Set<string>();
  const ask = (alias: string, path: string, selection: string) => {
    variables[alias] = path;
    declarations.push(`$${alias}: String!`);
    selections.push(`${alias}: file(path: $${alias}) ${selection}`);
    pathAliases.add(alias);
  };
  request.files.forEach((file, i) => {
    ask(`f${i}`, file, '{ oid type object { ... on Blob { text isBinary isTruncated } } }');
  });
  request.trees.forEach((tree, i) => {
    ask(`t${i}`, tree, '{ oid type }');
  });
  // Directories to list: the tree id here, its files with one recursive REST tree read per directory
  // (GraphQL has no recursion; `git/trees/{oid}?recursive=1` is one request whatever the depth).
  (request.directories ?? []).forEach((dir, i) => {
    ask(`d${i}`, dir, '{ oid type }');
  });
  // Existence costs the same as a tree id here (the entry's type), in the same request.
  (request.exists ?? []).forEach((dir, i) => {
    ask(`e${i}`, dir, '{ type }');
  });
  const query = [
    `query Snapshot(${declarations.join(', ')}) {`,
    '  repository(owner: $owner, name: $repo) {',
    // Both tell a missing branch from an empty repository, in the same request.
    '    isEmpty',
    '    defaultBranchRef { name }',
    '    ref(qualifiedName: $ref) {',
    '      target {',
    '        ... on Commit {',
    '          oid',
    '          tree { oid }',
    ...selections.map((s) => `          ${s}`),
    '        }',
    '      }',
    '    }',
    '  }',
    '}',
  ].join('\n');
  return { query, variables, pathAliases };
};

interface GraphqlErrorShape {
  readonly type?: unknown;
  readonly path?: unknown;
}

const ALIAS_PARENT = ['repository', 'ref', 'target'];

/** A NOT_FOUND on one of the snapshot's own path aliases: GitHub's way of saying "no such path". */
const isAbsentPath = (error: GraphqlErrorShape, aliases: ReadonlySet<string>): boolean => {
  const path = error?.path;
  return (
    error?.type === 'NOT_FOUND' &&
    Array.isArray(path) &&
    path.length === ALIAS_PARENT.length + 1 &&
    ALIAS_PARENT.every((step, i) => path[i] === step) &&
    aliases.has(String(path[ALIAS_PARENT.length]))
  );
};

/**
 * GitHub answers `Commit.file(path:)` on a path that does not exist with `null` at that alias AND a
 * top-level error `{"type":"NOT_FOUND","path":["repository","ref","target","<alias>"],…,"message":
 * "Could not resolve file for path '<path>'."}`, one per missing alias (seen against real GitHub in
 * changesets/ghcommit tests/integration/utils.ts, `expectBranchNotHaveFile`). @octokit/graphql then
 * rejects with a `GraphqlResponseError` whose `data` is the partial answer and `errors` the list
 * (@octokit/graphql src/error.ts, src/graphql.ts). When every error is such a path-scoped NOT_FOUND,
 * the partial answer IS the snapshot (those paths are absent); anything else stays an error.
 */
export const answerWithAbsentPaths = (error: unknown, query: SnapshotQuery): SnapshotResponse | undefined => {
  const e = error as { name?: unknown; errors?: unknown; data?: unknown } | null | undefined;
  if (e?.name !== 'GraphqlResponseError' || !Array.isArray(e.errors) || e.errors.length === 0)
    return undefined;
  if (e.data === null || typeof e.data !== 'object') return undefined;
  const errors = e.errors as GraphqlErrorShape[];
  return errors.every((x) => isAbsentPath(x, query.pathAliases)) ? (e.data as SnapshotResponse) : undefined;
};

export type FileRead =
  | { readonly kind: 'absent' }
  | { readonly kind: 'text'; readonly text: string }
  /** Binary or too large for GraphQL's `text`: read the blob over REST. */
  | { readonly kind: 'blob'; readonly oid: string };

export const fileReadOf = (node: unknown): FileRead => {
  const entry = node as TreeEntryNode | null | undefined;
  if (entry?.type !== 'blob') return { kind: 'absent' };
  const blob = entry.object ?? {};
  if (typeof blob.text === 'string' && !blob.isTruncated && !blob.isBinary)
    return { kind: 'text', text: blob.text };
  return { kind: 'blob', oid: entry.oid };
};

export const treeIdOf = (node: unknown): string | undefined => {
  const entry = node as TreeEntryNode | null | undefined;
  return entry?.type === 'tree' ? entry.oid : undefined;
};

export const isTreeEntry = (node: unknown): boolean =>
  (node as TreeEntryNode | null | undefined)?.type === 'tree';
