import { Octokit } from '@octokit/rest';
import { describe, expect, it } from 'vitest';
import {
  answerWithAbsentPaths,
  buildSnapshotQuery,
  type SnapshotQuery,
} from '../../../functions/adapters/git-hosts/github/github-snapshot-query';
import { checkAgainstGitHubSchema } from '../../support/github-api-server/graphql-schema';

/**
 * Every GraphQL document the GitHub adapter can send is one `buildSnapshotQuery` builds; each shape it
 * can take is validated here against GitHub's published schema (@octokit/graphql-schema) with
 * graphql-js's `validate`, and its variables against their declared types. A field, argument or type
 * GitHub does not have fails these tests.
 */

const range = (n: number, name: (i: number) => string) => Array.from({ length: n }, (_, i) => name(i));

const SHAPES = {
  none: { files: [], trees: [] },
  'files only': { files: ['.chart-promoter.yaml', 'environments/dev/podinfo.yaml'], trees: [] },
  'trees only': { files: [], trees: ['charts/podinfo/6.14.1'] },
  'directories only': { files: [], trees: [], directories: ['charts/podinfo'] },
  'files, trees and directories': {
    files: ['environments/dev/kustomization.yaml'],
    trees: ['charts/podinfo/6.14.1'],
    directories: ['charts/podinfo', 'environments/dev'],
  },
  'many aliases (a batch of 100 charts)': {
    files: range(201, (i) => `environments/e${i % 3}/chart-${i}.yaml`),
    trees: range(100, (i) => `charts/chart-${i}/1.0.${i}`),
    directories: range(100, (i) => `charts/chart-${i}`),
  },
  'paths GraphQL would choke on if spliced in': {
    files: ['a "quoted" name.yaml', 'ünïcödé/$dollar/{brace}.yaml', 'back\\slash.yaml'],
    trees: ['line\nbreak'],
  },
} as const;

const documents = Object.entries(SHAPES).map(([shape, request]) => ({
  shape,
  ...buildSnapshotQuery('acme', 'cluster-config', 'main', request),
}));

describe("snapshot GraphQL documents against GitHub's published schema", () => {
  it.each(documents)('$shape: valid, with variables of the declared types', ({ query, variables }) => {
    // Act
    const { errors } = checkAgainstGitHubSchema(query, variables);
    // Assess
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('covers every alias the adapter reads (one variable per requested path)', () => {
    // Prepare
    const many = documents.find((d) => d.shape.startsWith('many'))!;
    // Assess
    expect(many.pathAliases.size).toBe(401);
    for (const alias of many.pathAliases) expect(many.query).toContain(`${alias}: file(path: $${alias})`);
  });

  it.each([
    ['a field GitHub does not have', (q: string) => q.replace('isTruncated', 'isTruncated sizeInBytes')],
    ['a misspelt argument', (q: string) => q.replace('qualifiedName:', 'qualifiedname:')],
    [
      'a fragment on a type that is not a GitObject',
      (q: string) => q.replace('... on Blob', '... on Branch'),
    ],
  ])('refuses %s (the check can fail)', (_name, mutate) => {
    // Prepare
    const { query, variables } = documents.find((d) => d.shape === 'files, trees and directories')!;
    // Act
    const { errors } = checkAgainstGitHubSchema(mutate(query), variables);
    // Assess
    expect(errors.length).toBeGreaterThan(0);
  });

  it('refuses a variable the document does not receive', () => {
    // Prepare
    const { query, variables } = documents.find((d) => d.shape === 'files only')!;
    const { f1: _dropped, ...missing } = variables;
    // Act
    const { errors } = checkAgainstGitHubSchema(query, missing);
    // Assess
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/\$f1/)]);
  });
});

/** What `octokit.graphql` rejects with when GitHub answers `body` (the real @octokit/graphql error). */
const rejectionFor = async (body: unknown): Promise<unknown> => {
  const octokit = new Octokit({
    request: {
      fetch: async () =>
        new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }),
    },
  });
  return octokit.graphql('query { viewer { login } }').then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
};

const query: SnapshotQuery = buildSnapshotQuery('acme', 'cluster', 'main', {
  files: ['README.md', 'environments/dev/x.yaml'],
  trees: ['charts/x/1.0.0'],
  directories: ['charts/x'],
});

const partial = {
  repository: {
    isEmpty: false,
    defaultBranchRef: { name: 'main' },
    ref: {
      target: {
        oid: 'c'.repeat(40),
        tree: { oid: 't'.repeat(40) },
        f0: { oid: 'b', type: 'blob' },
        f1: null,
        t0: null,
        d0: null,
      },
    },
  },
};

const notFound = (alias: string, path = alias) => ({
  type: 'NOT_FOUND',
  path: ['repository', 'ref', 'target', alias],
  locations: [{ line: 9, column: 11 }],
  message: `Could not resolve file for path '${path}'.`,
});

describe('answerWithAbsentPaths', () => {
  it("keeps the partial data when every error is a NOT_FOUND on one of the snapshot's own path aliases", async () => {
    // Prepare
    const error = await rejectionFor({
      data: partial,
      errors: [notFound('f1'), notFound('t0'), notFound('d0')],
    });
    // Act + Assess
    expect(answerWithAbsentPaths(error, query)).toEqual(partial);
  });

  it.each([
    [
      'a NOT_FOUND on the repository',
      {
        data: { repository: null },
        errors: [
          {
            type: 'NOT_FOUND',
            path: ['repository'],
            message: "Could not resolve to a Repository with the name 'acme/cluster'.",
          },
        ],
      },
    ],
    [
      'a NOT_FOUND on the ref',
      { data: partial, errors: [{ type: 'NOT_FOUND', path: ['repository', 'ref'], message: 'x' }] },
    ],
    ['a NOT_FOUND on an alias the snapshot did not ask for', { data: partial, errors: [notFound('f9')] }],
    [
      'a NOT_FOUND below an alias',
      {
        data: partial,
        errors: [{ ...notFound('f1'), path: ['repository', 'ref', 'target', 'f1', 'object'] }],
      },
    ],
    [
      'a path NOT_FOUND beside another error',
      { data: partial, errors: [notFound('f1'), { type: 'FORBIDDEN', path: ['repository'], message: 'no' }] },
    ],
    [
      'a rate limit',
      { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for installation ID 1.' }] },
    ],
    ['an error without data', { data: null, errors: [notFound('f1')] }],
  ])('leaves %s an error', async (_name, body) => {
    // Prepare
    const error = await rejectionFor(body);
    // Act + Assess
    expect(answerWithAbsentPaths(error, query)).toBeUndefined();
  });

  it('leaves anything that is not a GraphQL answer an error', () => {
    // Act + Assess
    expect(answerWithAbsentPaths(new Error('socket hang up'), query)).toBeUndefined();
    expect(answerWithAbsentPaths(undefined, query)).toBeUndefined();
  });
});
