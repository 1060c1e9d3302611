/**
 * The GraphQL reads of a snapshot, all at one commit id so they agree however the branch moves:
 * file texts through `Repository.blobs(paths:, ref:)` (many files in one field,
 * app/graphql/resolvers/blobs_resolver.rb) and the git tree id of a directory through its parent's
 * listing, `Repository.tree(path:, ref:) { trees { nodes { name sha } } }` (TreeEntry `sha` is the
 * entry's object id: app/graphql/types/tree/entry_type.rb, `method: :id`).
 *
 * GitLab refuses a whole query whose complexity exceeds 250 for an authenticated caller
 * (app/graphql/gitlab_schema.rb AUTHENTICATED_MAX_COMPLEXITY) and pages connections at 100
 * (default_max_page_size), so a large request is split into several queries. The cost model below
 * follows app/graphql/types/base_field.rb (resolver fields: children + the resolver's own complexity
 * + 1 for Gitaly, multiplied by 1 + page size × 1% for connections; BlobsResolver adds one per path)
 * with margin: the split keeps each query at or under QUERY_BUDGET.
 */

export const PAGE_SIZE = 100;
/** Under GitLab's 250, with room for the model being approximate. */
export const QUERY_BUDGET = 200;

const QUERY_BASE_COST = 8;
const LISTING_COST = 12;
const blobsCost = (paths: number): number => (paths === 0 ? 0 : 2 * (8 + paths));

export interface SnapshotChunk {
  readonly paths: readonly string[];
  /** Parent directories to list ('' is the root). */
  readonly listings: readonly string[];
}

/** Greedy packing of blob paths and directory listings into queries that stay under the budget. */
export const planChunks = (paths: readonly string[], listings: readonly string[]): SnapshotChunk[] => {
  const chunks: SnapshotChunk[] = [];
  let pathIndex = 0;
  let listingIndex = 0;
  while (pathIndex < paths.length || listingIndex < listings.length) {
    const take = Math.min(PAGE_SIZE, paths.length - pathIndex);
    const chunkPaths = paths.slice(pathIndex, pathIndex + take);
    pathIndex += take;
    let cost = QUERY_BASE_COST + blobsCost(chunkPaths.length);
    const chunkListings: string[] = [];
    while (listingIndex < listings.length && cost + LISTING_COST <= QUERY_BUDGET) {
      chunkListings.push(listings[listingIndex++]!);
      cost += LISTING_COST;
    }
    chunks.push({ paths: chunkPaths, listings: chunkListings });
  }
  return chunks;
};

export const parentOf = (dir: string): { parent: string; name: string } => {
  const slash = dir.lastIndexOf('/');
  return slash < 0 ? { parent: '', name: dir } : { parent: dir.slice(0, slash), name: dir.slice(slash + 1) };
};

/** One query: `blobs` for the paths, `l<i>` aliases for the listings (paths passed as variables). */
export const buildSnapshotQuery = (
  fullPath: string,
  ref: string,
  chunk: SnapshotChunk,
  cursors: ReadonlyMap<number, string> = new Map(),
): { query: string; variables: Record<string, unknown> } => {
  const variables: Record<string, unknown> = { fullPath, ref };
  const fields: string[] = [];
  const declarations = ['$fullPath: ID!', '$ref: String!'];
  if (chunk.paths.length > 0) {
    declarations.push('$paths: [String!]!');
    variables.paths = chunk.paths;
    fields.push(`blobs(paths: $paths, ref: $ref) { nodes { path oid size rawTextBlob } }`);
  }
  chunk.listings.forEach((dir, i) => {
    declarations.push(`$l${i}: String!`);
    variables[`l${i}`] = dir;
    const after = cursors.get(i);
    if (after !== undefined) {
      declarations.push(`$a${i}: String`);
      variables[`a${i}`] = after;
    }
    fields.push(
      `l${i}: tree(path: $l${i}, ref: $ref) { trees(first: ${PAGE_SIZE}${after === undefined ? '' : `, after: $a${i}`}) { nodes { name sha } pageInfo { hasNextPage endCursor } } }`,
    );
  });
  const query = `query Snapshot(${declarations.join(', ')}) { project(fullPath: $fullPath) { repository { ${fields.join(' ')} } } }`;
  return { query, variables };
};

export interface BlobNode {
  readonly path: string;
  readonly oid: string;
  readonly size: number | string | null;
  readonly rawTextBlob: string | null;
}

export interface TreeListing {
  readonly trees: {
    readonly nodes: readonly { readonly name: string; readonly sha: string }[];
    readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  };
}

export interface SnapshotAnswer {
  readonly project: {
    readonly repository:
      | ({
          readonly blobs?: { readonly nodes: readonly BlobNode[] } | null;
        } & Record<string, unknown>)
      | null;
  } | null;
}

/** The file listing of a directory, recursively (blobs only), one page at a time. */
export const buildListFilesQuery = (
  fullPath: string,
  ref: string,
  dir: string,
  after: string | undefined,
): { query: string; variables: Record<string, unknown> } => ({
  query: `query ListFiles($fullPath: ID!, $ref: String!, $dir: String!, $after: String) { project(fullPath: $fullPath) { repository { tree(path: $dir, ref: $ref, recursive: true) { blobs(first: ${PAGE_SIZE}, after: $after) { nodes { path type } pageInfo { hasNextPage endCursor } } } } } }`,
  variables: { fullPath, ref, dir, ...(after === undefined ? {} : { after }) },
});

export interface ListFilesAnswer {
  readonly project: {
    readonly repository: {
      readonly tree: {
        readonly blobs: {
          readonly nodes: readonly { readonly path: string; readonly type: string }[];
          readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
        };
      } | null;
    } | null;
  } | null;
}
