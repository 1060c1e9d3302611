import { execute, type GraphQLError, type GraphQLFieldResolver } from 'graphql';
import type { GitStore } from './git-store';
import { checkAgainstGitHubSchema, gitHubGraphqlSchema } from './graphql-schema';

/**
 * GitHub's GraphQL endpoint for the fields the adapter reads, executed by graphql-js against GitHub's
 * published schema (graphql-schema.ts) over the real git repository. So the answers follow GraphQL's
 * own rules as GitHub's server does: a document GitHub would refuse is refused (and recorded), a
 * nullable field that fails is `null` beside a top-level error carrying its `path` and `locations`,
 * and the rest of the answer stays (partial data). GitHub adds a `type` to its errors (`NOT_FOUND`…),
 * placed first as GitHub sends it. A field the schema has but this stand-in does not resolve is
 * recorded as a problem, so the adapter cannot drift into GraphQL nobody checked.
 */

export class GraphqlUnsupported extends Error {}

/** An error GitHub reports with a `type`, e.g. NOT_FOUND for a path or a repository that is not there. */
class GitHubGraphqlError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface GraphqlContext {
  readonly store: GitStore;
  readonly owner: string;
  readonly repo: string;
  readonly defaultBranch: string;
  /** Blobs larger than this come back with `isTruncated: true` and `text: null`. */
  readonly textLimit: number;
}

export interface GraphqlAnswer {
  readonly status: number;
  readonly body: unknown;
  /** What makes this exchange wrong for a test: a document GitHub refuses, or a field not implemented here. */
  readonly problems: readonly string[];
}

type Source = Record<string, unknown> & { readonly __typename: string };
type Resolver = (source: Source, args: Record<string, unknown>, ctx: GraphqlContext) => unknown;

const isBinary = (bytes: Buffer): boolean => {
  if (bytes.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
};

const ref = async (ctx: GraphqlContext, branch: string): Promise<Source | null> => {
  const oid = await ctx.store.resolveBranch(branch);
  return oid ? { __typename: 'Ref', name: branch, oid } : null;
};

const blobBytes = (source: Source, ctx: GraphqlContext) => ctx.store.readBlob(source.oid as string);

const RESOLVERS: Record<string, Resolver> = {
  'Query.repository': (_s, { owner, name }, ctx) => {
    if (owner === ctx.owner && name === ctx.repo) return { __typename: 'Repository' };
    // cli/cli#436, sourcecred/sourcecred#761: `repository: null` beside this NOT_FOUND.
    throw new GitHubGraphqlError(
      'NOT_FOUND',
      `Could not resolve to a Repository with the name '${owner}/${name}'.`,
    );
  },
  'Repository.isEmpty': async (_s, _a, ctx) => !(await ctx.store.hasBranches()),
  // null for a repository without commits (atlassian/github-for-jira#223: "defaultBranchRef is null").
  'Repository.defaultBranchRef': (_s, _a, ctx) => ref(ctx, ctx.defaultBranch),
  // A ref that does not exist is null, without an error (changesets/ghcommit src/core.ts creates the
  // branch when `targetBranch` is null).
  'Repository.ref': (_s, { qualifiedName }, ctx) =>
    ref(ctx, String(qualifiedName).replace(/^refs\/heads\//, '')),
  'Ref.name': (s) => s.name,
  'Ref.target': (s) => ({ __typename: 'Commit', oid: s.oid }),
  'Commit.oid': (s) => s.oid,
  'Commit.tree': async (s, _a, ctx) => ({
    __typename: 'Tree',
    oid: (await ctx.store.readCommit(s.oid as string)).tree,
  }),
  // changesets/ghcommit tests/integration/utils.ts: GitHub rejects a missing path with this message.
  'Commit.file': async (s, { path }, ctx) => {
    const entry = await ctx.store.entryAt((await ctx.store.readCommit(s.oid as string)).tree, String(path));
    if (entry) return { __typename: 'TreeEntry', ...entry, path };
    throw new GitHubGraphqlError('NOT_FOUND', `Could not resolve file for path '${path}'.`);
  },
  'Tree.oid': (s) => s.oid,
  'TreeEntry.oid': (s) => s.sha,
  'TreeEntry.type': (s) => s.type,
  'TreeEntry.name': (s) => s.name,
  'TreeEntry.path': (s) => s.path,
  'TreeEntry.object': (s) => ({ __typename: s.type === 'tree' ? 'Tree' : 'Blob', oid: s.sha }),
  'Blob.oid': (s) => s.oid,
  'Blob.byteSize': async (s, _a, ctx) => (await blobBytes(s, ctx)).byteLength,
  'Blob.isBinary': async (s, _a, ctx) => isBinary(await blobBytes(s, ctx)),
  'Blob.isTruncated': async (s, _a, ctx) => (await blobBytes(s, ctx)).byteLength > ctx.textLimit,
  'Blob.text': async (s, _a, ctx) => {
    const bytes = await blobBytes(s, ctx);
    return isBinary(bytes) || bytes.byteLength > ctx.textLimit ? null : bytes.toString('utf8');
  },
};

const fieldResolver: GraphQLFieldResolver<Source, GraphqlContext> = (source, args, ctx, info) => {
  const key = `${info.parentType.name}.${info.fieldName}`;
  const resolve = RESOLVERS[key];
  if (!resolve) throw new GraphqlUnsupported(`the fake GitHub does not implement ${key}`);
  return resolve(source, args, ctx);
};

/** GitHub's error shape: `type` (when it has one), `path`, `locations`, `message`, in that order. */
const asGitHubError = (error: GraphQLError) => {
  const type = error.originalError instanceof GitHubGraphqlError ? error.originalError.type : undefined;
  return {
    ...(type === undefined ? {} : { type }),
    ...(error.path ? { path: error.path } : {}),
    ...(error.locations ? { locations: error.locations } : {}),
    message: error.message,
  };
};

export const answerGraphql = async (
  body: { query?: unknown; variables?: unknown },
  ctx: GraphqlContext,
): Promise<GraphqlAnswer> => {
  if (typeof body?.query !== 'string') {
    const message = 'A query attribute must be specified and must be a string.';
    return { status: 200, body: { errors: [{ message }] }, problems: [message] };
  }
  const variables = (body.variables ?? {}) as Record<string, unknown>;
  const { document, errors } = checkAgainstGitHubSchema(body.query, variables);
  if (!document || errors.length > 0) {
    return {
      status: 200,
      body: { errors: errors.map(asGitHubError) },
      problems: errors.map((e) => `GraphQL document refused by GitHub's schema: ${e.message}`),
    };
  }
  const result = await execute({
    schema: gitHubGraphqlSchema(),
    document,
    variableValues: variables,
    contextValue: ctx,
    fieldResolver: fieldResolver as GraphQLFieldResolver<unknown, unknown>,
  });
  const problems = (result.errors ?? [])
    .filter((e) => !(e.originalError instanceof GitHubGraphqlError))
    .map((e) => e.message);
  return {
    status: 200,
    body: {
      data: result.data ?? null,
      ...(result.errors ? { errors: result.errors.map(asGitHubError) } : {}),
    },
    problems,
  };
};
