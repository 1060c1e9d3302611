/**
 * One GraphQL query reads everything planning needs: the branch head, its root tree, the text of each
 * requested file and the tree id of each requested directory, all from the SAME commit
 * (`Commit.file(path:)`, https://docs.github.com/graphql/reference/objects#commit), so the snapshot is
 * consistent even while other writers move the branch. Paths travel as variables, never spliced into
 * the query text. One request instead of one REST GET per file keeps a run inside GitHub's rate limits.
 */

export interface SnapshotQuery {
  readonly query: string;
  readonly variables: Record<string, string>;
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
  },
): SnapshotQuery => {
  const variables: Record<string, string> = { owner, repo, ref: `refs/heads/${branch}` };
  const declarations = ['$owner: String!', '$repo: String!', '$ref: String!'];
  const selections: string[] = [];
  request.files.forEach((file, i) => {
    variables[`f${i}`] = file;
    declarations.push(`$f${i}: String!`);
    selections.push(
      `f${i}: file(path: $f${i}) { oid type object { ... on Blob { text isBinary isTruncated } } }`,
    );
  });
  request.trees.forEach((tree, i) => {
    variables[`t${i}`] = tree;
    declarations.push(`$t${i}: String!`);
    selections.push(`t${i}: file(path: $t${i}) { oid type }`);
  });
  // Directories to list: the tree id here, its files with one recursive REST tree read per directory
  // (GraphQL has no recursion; `git/trees/{oid}?recursive=1` is one request whatever the depth).
  (request.directories ?? []).forEach((dir, i) => {
    variables[`d${i}`] = dir;
    declarations.push(`$d${i}: String!`);
    selections.push(`d${i}: file(path: $d${i}) { oid type }`);
  });
  const query = [
    `query Snapshot(${declarations.join(', ')}) {`,
    '  repository(owner: $owner, name: $repo) {',
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
  return { query, variables };
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
