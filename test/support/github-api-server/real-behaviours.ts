/**
 * The catalogue of GitHub's real behaviours this stand-in reproduces, each with where it was seen:
 * GitHub's own docs, schema or OpenAPI description, traffic recorded against api.github.com
 * (@octokit/fixtures), tests that run against real GitHub, or reports quoting GitHub's answers.
 * test/integration/support/github-real-behaviours.test.ts holds one test per row, keyed by `id`
 * (TypeScript refuses a row without its test). Adding a behaviour = one row here + one test there;
 * the adapter's handling of each is tested in test/integration/adapters/github-git-host.test.ts.
 */

export interface RealBehaviour {
  readonly id: string;
  /** What GitHub does, as the stand-in answers it. */
  readonly behaviour: string;
  readonly sources: readonly string[];
}

export const REAL_BEHAVIOURS = [
  {
    id: 'graphql-schema',
    behaviour:
      "GraphQL documents are checked against GitHub's published schema; one GitHub refuses is answered 200 with `errors` and no data",
    sources: [
      'https://www.npmjs.com/package/@octokit/graphql-schema',
      'https://github.com/octokit/graphql.js/blob/main/test/error.test.ts',
    ],
  },
  {
    id: 'graphql-missing-path',
    behaviour:
      '`Commit.file(path:)` on a missing path: `null` at the alias AND a top-level error {type: NOT_FOUND, path: [repository, ref, target, <alias>], locations, message: "Could not resolve file for path \'<path>\'."}, one per missing alias, the rest of the data kept',
    sources: [
      'https://github.com/changesets/ghcommit/blob/main/tests/integration/utils.ts',
      'https://github.com/octokit/graphql.js/blob/main/src/error.ts',
    ],
  },
  {
    id: 'graphql-missing-repository',
    behaviour:
      'an unknown repository (or one the credentials cannot see): `repository: null` beside {type: NOT_FOUND, path: [repository], message: "Could not resolve to a Repository with the name \'<owner>/<name>\'."}',
    sources: ['https://github.com/cli/cli/issues/436', 'https://github.com/sourcecred/sourcecred/issues/761'],
  },
  {
    id: 'graphql-missing-ref',
    behaviour: '`ref(qualifiedName:)` naming a branch that does not exist: `null`, without an error',
    sources: ['https://github.com/changesets/ghcommit/blob/main/src/core.ts'],
  },
  {
    id: 'graphql-empty-repository',
    behaviour: 'a repository without commits: `isEmpty: true`, `defaultBranchRef: null`, `ref: null`',
    sources: [
      'https://docs.github.com/graphql/reference/objects#repository',
      'https://github.com/atlassian/github-for-jira/pull/223',
    ],
  },
  {
    id: 'graphql-blob-text',
    behaviour:
      '`Blob.text` is null for a binary blob (`isBinary: true`) and for a large one (`isTruncated: true`)',
    sources: ['https://docs.github.com/graphql/reference/objects#blob'],
  },
  {
    id: 'graphql-rate-limited',
    behaviour:
      'a spent GraphQL rate limit: HTTP 200, `errors: [{type: RATE_LIMITED, message}]`, no data, `x-ratelimit-remaining: 0`',
    sources: [
      'https://github.com/renovatebot/renovate/issues/21861',
      'https://github.com/github/docs/issues/22607',
      'https://github.com/octokit/plugin-throttling.js/blob/main/test/retry.test.ts',
    ],
  },
  {
    id: 'graphql-rate-limit-type',
    behaviour:
      'the newer spelling of the same: `errors: [{type: RATE_LIMIT, code: graphql_rate_limit, message}]` (not retried by the throttling plugin)',
    sources: [
      'https://github.com/yanyongyu/githubkit/issues/271',
      'https://github.com/octokit/plugin-throttling.js/pull/848',
    ],
  },
  {
    id: 'update-ref-not-fast-forward',
    behaviour:
      'update-ref with `force: false` to a commit that does not descend from the head: 422 `Update is not a fast forward`',
    sources: ['https://docs.github.com/rest/git/refs#update-a-reference'],
  },
  {
    id: 'update-ref-cannot-be-updated',
    behaviour: 'update-ref racing another writer on the same branch: 422 `Reference cannot be updated`',
    sources: [
      'https://github.com/osunyorg/admin/issues/119',
      'https://github.com/osunyorg/admin/issues/1978',
      'https://github.com/osunyorg/admin/issues/2192',
      'https://github.com/googleapis/repo-automation-bots/issues/4537',
    ],
  },
  {
    id: 'git-data-empty-repository',
    behaviour:
      "every Git Data API call on a repository without commits: 409 `Git Repository is empty.` with the operation's documentation_url",
    sources: [
      'https://docs.github.com/rest/guides/using-the-rest-api-to-interact-with-your-git-database#overview',
      'https://github.com/github/rest-api-description/issues/637',
      'https://github.com/github/docs/issues/31951',
    ],
  },
  {
    id: 'contents-first-commit',
    behaviour:
      'the contents API on an empty repository: 201, a root commit (`parents: []`) on the branch it names, answered as GitHub recorded it',
    sources: [
      'https://docs.github.com/rest/guides/using-the-rest-api-to-interact-with-your-git-database#overview',
      'https://github.com/octokit/fixtures/tree/main/scenarios/api.github.com/create-file',
      'https://github.com/CATcher-org/CATcher/pull/1234',
    ],
  },
  {
    id: 'contents-sha-required',
    behaviour:
      'the contents API over an existing file without its `sha`: 422 `Invalid request.\\n\\n"sha" wasn\'t supplied.`',
    sources: [
      'https://docs.github.com/rest/repos/contents#create-or-update-file-contents',
      'https://github.com/Shiphero/shbin/issues/26',
      'https://github.com/pksunkara/octonode/issues/249',
    ],
  },
  {
    id: 'secondary-rate-limit',
    behaviour:
      'a secondary rate limit: 403 or 429 with `retry-after` and "You have exceeded a secondary rate limit…"',
    sources: [
      'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit',
    ],
  },
  {
    id: 'primary-rate-limit',
    behaviour:
      'a spent primary rate limit: 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` (epoch seconds)',
    sources: [
      'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit',
    ],
  },
  {
    id: 'validation-failed',
    behaviour:
      'a refused field: 422 `Validation Failed` with `errors: [{resource, code, field}]` and a documentation_url, as recorded',
    sources: ['https://github.com/octokit/fixtures/tree/main/scenarios/api.github.com/errors'],
  },
  {
    id: 'label-resource',
    behaviour:
      'labels as GitHub records them; one created on the fly by add-labels has `description: null`, in pull request lists too',
    sources: [
      'https://github.com/octokit/fixtures/tree/main/scenarios/api.github.com/add-labels-to-issue',
      'https://github.com/octokit/fixtures/tree/main/scenarios/api.github.com/labels',
      'https://github.com/github/docs/issues/18857',
      'https://github.com/github/rest-api-description/issues/1812',
    ],
  },
  {
    id: 'ref-resource',
    behaviour:
      'create-ref (201) and update-ref (200) answer the ref as recorded: {ref, node_id, url, object: {sha, type, url}}',
    sources: ['https://github.com/octokit/fixtures/tree/main/scenarios/api.github.com/git-refs'],
  },
] as const satisfies readonly RealBehaviour[];

export type RealBehaviourId = (typeof REAL_BEHAVIOURS)[number]['id'];
