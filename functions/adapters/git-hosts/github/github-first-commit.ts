import type { Octokit } from '@octokit/rest';
import { GitHostError } from '../../../ports/git-host-error';
import { messageOf, statusOf, toGitHostError } from './github-errors';

/**
 * The first commit of an empty GitHub repository. GitHub's Git Data API (blobs, trees, commits, refs)
 * answers 409 `Git Repository is empty.` while a repository has no commit (github/rest-api-description#637,
 * github/docs#31951), and GitHub's own guide names the way in: "For an empty repository, you can use the
 * PUT /repos/{owner}/{repo}/contents/{path} REST API endpoint to create content and initialize the
 * repository" (https://docs.github.com/rest/guides/using-the-rest-api-to-interact-with-your-git-database#overview).
 * That call creates a root commit (recorded: @octokit/fixtures scenario `create-file`, `parents: []`) on
 * the branch it names (CATcher-org/CATcher#1234). The change set then lands on top of it with the usual
 * compare-and-swap, so a first promotion is two commits: this README, then the promotion.
 */

export interface FirstCommit {
  readonly sha: string;
  readonly tree: string;
}

export const FIRST_COMMIT_PATH = 'README.md';

/** True when GitHub refused a Git Data API call because the repository has no commit yet. */
export const isEmptyRepositoryAnswer = (error: unknown): boolean => {
  const answer = error instanceof GitHostError ? error.cause : error;
  return statusOf(answer) === 409 && /repository is empty/i.test(messageOf(answer));
};

const readme = (repo: string) =>
  `# ${repo}\n\nThe cluster repository chart-promoter commits to: charts under \`charts/<name>/<version>/\`,\n` +
  'one Flux HelmRelease per chart and environment under `environments/<environment>/`.\n';

export const createFirstCommit = async (
  octokit: Octokit,
  owner: string,
  repo: string,
  branch: string,
): Promise<FirstCommit> => {
  let answer: Awaited<ReturnType<Octokit['rest']['repos']['createOrUpdateFileContents']>>;
  try {
    answer = await octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path: FIRST_COMMIT_PATH,
      branch,
      message:
        'initialise the cluster repository\n\n' +
        "GitHub's Git Data API cannot write to an empty repository; the contents API creates its first commit.\n",
      content: Buffer.from(readme(repo)).toString('base64'),
    });
  } catch (error) {
    // Another writer initialised the repository between our read and this call: the file exists now
    // (422 `"sha" wasn't supplied`, https://docs.github.com/rest/repos/contents#create-or-update-file-contents)
    // or the branch moved under the call (409). Re-read and re-plan, as for any moved branch.
    const status = statusOf(error);
    if (status === 409 || (status === 422 && /\bsha\b/i.test(messageOf(error)))) {
      throw new GitHostError('BRANCH_MOVED', `${branch} was created by another writer`, { cause: error });
    }
    throw toGitHostError(error, `first commit of the empty repository ${owner}/${repo}`);
  }
  const { sha, tree } = answer.data.commit;
  if (!sha || !tree?.sha) {
    throw new GitHostError(
      'HOST_UNAVAILABLE',
      `GitHub created the first commit of ${owner}/${repo} but named no commit`,
    );
  }
  return { sha, tree: tree.sha };
};
