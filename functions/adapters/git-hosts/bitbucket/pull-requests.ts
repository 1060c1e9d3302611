import type { PullRequestRequest, PullRequestResult } from '../../../ports/git-host';
import { GitHostError } from '../../../ports/git-host-error';
import { type BitbucketClient, bbqlString, parseJson } from './http-client';

/**
 * One pull request per source branch, through `/pullrequests` (Atlassian's OpenAPI description):
 * find the open one first (`state=OPEN` and a `q` filter on source and destination branch names), or
 * create it. A re-run updates the title and description of the open one when they changed; Bitbucket
 * clears the reviewers of a pull request updated without them (Renovate's Bitbucket platform reads
 * them back first for that reason), so an update reads the pull request by id and sends them along.
 *
 * Bitbucket Cloud has no pull-request labels (https://jira.atlassian.com/browse/BCLOUD-11976), so
 * `labels` are not sent anywhere; the title already names the chart and the environment.
 */

interface PullRequestResource {
  readonly id: number;
  readonly title?: string;
  readonly description?: string;
  readonly summary?: { readonly raw?: string };
  readonly links?: { readonly html?: { readonly href?: string } };
  readonly reviewers?: readonly { readonly type?: string; readonly uuid?: string }[];
}

export class BitbucketPullRequests {
  readonly #client: BitbucketClient;
  readonly #repo: string;
  readonly #web: string;

  constructor(client: BitbucketClient, repoPath: string, webUrl: string) {
    this.#client = client;
    this.#repo = repoPath;
    this.#web = webUrl;
  }

  async open(request: PullRequestRequest): Promise<PullRequestResult> {
    const found = await this.#findOpen(request);
    if (found !== undefined) {
      await this.#update(found, request);
      return this.#result(found, false);
    }
    try {
      const created = await this.#client.request(
        `open pull request ${request.head} → ${request.base}`,
        'POST',
        this.#client.url(`${this.#repo}/pullrequests`),
        {
          json: {
            type: 'pullrequest',
            title: request.title,
            description: request.body,
            source: { branch: { name: request.head } },
            destination: { branch: { name: request.base } },
            // The branch is chart-promoter's own: gone once the change is merged.
            close_source_branch: true,
          },
        },
      );
      return this.#result(parseJson<PullRequestResource>('open pull request', created.body), true);
    } catch (error) {
      // Another run opened it between our look-up and our create: that one is ours too.
      const raced = error instanceof GitHostError ? await this.#findOpen(request) : undefined;
      if (raced !== undefined) return this.#result(raced, false);
      throw error;
    }
  }

  async #findOpen(request: PullRequestRequest): Promise<PullRequestResource | undefined> {
    const url = this.#client.url(`${this.#repo}/pullrequests`, {
      state: 'OPEN',
      q: `source.branch.name = ${bbqlString(request.head)} AND destination.branch.name = ${bbqlString(request.base)}`,
      pagelen: '50',
    });
    const open = (await this.#client.collect<PullRequestResource>('list pull requests', url)) ?? [];
    return [...open].sort((a, b) => a.id - b.id)[0];
  }

  async #update(found: PullRequestResource, request: PullRequestRequest): Promise<void> {
    const description = found.summary?.raw ?? found.description;
    if (found.title === request.title && description === request.body) return;
    const url = this.#client.url(`${this.#repo}/pullrequests/${found.id}`);
    const current = await this.#client.getJson<PullRequestResource>(`read pull request #${found.id}`, url);
    await this.#client.request(`update pull request #${found.id}`, 'PUT', url, {
      json: {
        type: 'pullrequest',
        title: request.title,
        description: request.body,
        reviewers: (current?.reviewers ?? []).flatMap((r) =>
          r.uuid === undefined ? [] : [{ type: r.type ?? 'user', uuid: r.uuid }],
        ),
      },
    });
  }

  #result(pull: PullRequestResource, created: boolean): PullRequestResult {
    const url = pull.links?.html?.href ?? `${this.#web}/pull-requests/${pull.id}`;
    return { number: pull.id, url, created };
  }
}
