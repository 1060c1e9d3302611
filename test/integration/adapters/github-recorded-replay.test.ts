import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../functions/adapters/git-hosts/github/github-client';
import { createFirstCommit } from '../../../functions/adapters/git-hosts/github/github-first-commit';
import { GitHubGitHost } from '../../../functions/adapters/git-hosts/github/github-git-host';
import { type FaultProxy, startFaultProxy } from '../../support/fault-proxy';
import { gitHostFailure } from '../../support/git-host-contract';
import { type GitHubApiServer, startGitHubApiServer } from '../../support/github-api-server';
import {
  type RecordedExchange,
  recordedScenario,
  replayRule,
  requestDrift,
} from '../../support/github-api-server/recorded-answers';

/**
 * GitHub's own answers, recorded against api.github.com by @octokit/fixtures, replayed to the adapter:
 * each recorded answer stands in for GitHub's answer to one adapter request (through the fault proxy,
 * in order); the adapter's other requests reach the local stand-in. Where the recording answered the
 * same route, the adapter's request body must carry every field GitHub was sent.
 */

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Rig {
  readonly server: GitHubApiServer;
  readonly proxy: FaultProxy;
  readonly host: GitHubGitHost;
  readonly octokit: ReturnType<typeof createGitHubClient>;
}

const rigs: Rig[] = [];

const replaying = async (answers: readonly (readonly [string, RecordedExchange])[]): Promise<Rig> => {
  const server = await startGitHubApiServer({
    seed: { 'README.md': '# cluster\n', 'charts/demo/1.0.0/Chart.yaml': 'name: demo\n' },
  });
  const proxy = await startFaultProxy({ upstream: server.url });
  for (const [route, exchange] of answers) proxy.inject(replayRule(route, exchange));
  const octokit = createGitHubClient({
    auth: { token: server.token },
    baseUrl: proxy.url,
    writeSpacingMs: 0,
    serverErrorRetries: 0,
    log: quiet,
  });
  const rig = {
    server,
    proxy,
    host: new GitHubGitHost({ octokit, owner: server.owner, repo: server.repo }),
    octokit,
  };
  rigs.push(rig);
  return rig;
};

/** The recorded answers the adapter was given, each beside the request it answered. */
const replayed = (rig: Rig, answers: readonly (readonly [string, RecordedExchange])[]) => {
  const served = rig.proxy.exchanges().filter((e) => e.fault === 'status');
  expect(served).toHaveLength(answers.length);
  return served.map((sent, i) => ({ sent, exchange: answers[i]![1] }));
};

afterEach(async () => {
  for (const { proxy, server } of rigs.splice(0)) {
    await proxy.close();
    await server.close();
    expect(server.validationErrors()).toEqual([]);
  }
});

describe('recorded GitHub answers (@octokit/fixtures) replayed to the GitHub adapter', () => {
  it('git-refs: takes the recorded create-ref (201) and update-ref (200) answers', async () => {
    // Prepare
    const [, created, updated] = recordedScenario('git-refs');
    const answers = [
      ['POST /repos/{owner}/{repo}/git/refs', created!],
      ['PATCH /repos/{owner}/{repo}/git/refs/{ref}', updated!],
    ] as const;
    const rig = await replaying(answers);
    const head = await rig.server.git('rev-parse', 'main');
    // Act
    await rig.host.setBranch('test', head);
    const result = await rig.host.commit('main', head, {
      message: 'promote demo 1.1.0 to dev',
      changes: [{ path: 'charts/demo/1.1.0/Chart.yaml', content: text('name: demo\n') }],
    });
    // Assess: the commit was made by the stand-in, the branch moves were answered by GitHub's recording.
    expect(result.parent).toBe(head);
    expect(await rig.server.git('cat-file', '-t', result.sha)).toBe('commit');
    for (const { sent, exchange } of replayed(rig, answers)) expect(requestDrift(exchange, sent)).toEqual([]);
  });

  it('add-labels-to-issue: takes the recorded add-labels answer (labels GitHub created, description null)', async () => {
    // Prepare
    const [, added] = recordedScenario('add-labels-to-issue');
    const answers = [['POST /repos/{owner}/{repo}/issues/{issue_number}/labels', added!]] as const;
    const rig = await replaying(answers);
    await rig.host.setBranch('promote/demo', await rig.server.git('rev-parse', 'main'));
    // Act
    const pull = await rig.host.openPullRequest({
      head: 'promote/demo',
      base: 'main',
      title: 'promote demo',
      body: 'b',
      labels: ['Foo', 'bAr', 'baZ'],
    });
    // Assess
    expect(pull.created).toBe(true);
    for (const { sent, exchange } of replayed(rig, answers)) expect(requestDrift(exchange, sent)).toEqual([]);
  });

  it("labels: takes GitHub's recorded label list (default labels, with descriptions) as an add-labels answer", async () => {
    // Prepare
    const [listed] = recordedScenario('labels');
    const answers = [['POST /repos/{owner}/{repo}/issues/{issue_number}/labels', listed!]] as const;
    const rig = await replaying(answers);
    await rig.host.setBranch('promote/demo', await rig.server.git('rev-parse', 'main'));
    // Act
    const pull = await rig.host.openPullRequest({
      head: 'promote/demo',
      base: 'main',
      title: 't',
      body: 'b',
      labels: ['bug'],
    });
    // Assess
    expect(pull.number).toBeGreaterThan(0);
    expect(replayed(rig, answers)).toHaveLength(1);
  });

  it('errors: the recorded 422 Validation Failed is a terminal REQUEST_REJECTED, on add-labels and on update-ref alike (not a moved branch)', async () => {
    // Prepare
    const [invalid] = recordedScenario('errors');
    const answers = [
      ['POST /repos/{owner}/{repo}/issues/{issue_number}/labels', invalid!],
      ['PATCH /repos/{owner}/{repo}/git/refs/{ref}', invalid!],
    ] as const;
    const rig = await replaying(answers);
    const head = await rig.server.git('rev-parse', 'main');
    await rig.host.setBranch('promote/demo', head);
    // Act
    const labels = await gitHostFailure(
      rig.host.openPullRequest({ head: 'promote/demo', base: 'main', title: 't', body: 'b', labels: ['x'] }),
    );
    const commit = await gitHostFailure(
      rig.host.commit('main', head, { message: 'm', changes: [{ path: 'a', content: text('a') }] }),
    );
    // Assess
    for (const error of [labels, commit]) {
      expect(error.code).toBe('REQUEST_REJECTED');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/HTTP 422.*Validation Failed/);
    }
    expect(replayed(rig, answers)).toHaveLength(2);
  });

  it("create-file: reads the first commit's sha and tree from GitHub's recorded contents answer", async () => {
    // Prepare
    const [created] = recordedScenario('create-file');
    const answers = [['PUT /repos/{owner}/{repo}/contents/{path}', created!]] as const;
    const rig = await replaying(answers);
    // Act
    const first = await createFirstCommit(rig.octokit, rig.server.owner, rig.server.repo, 'main');
    // Assess
    const recorded = created!.response as { commit: { sha: string; tree: { sha: string } } };
    expect(first).toEqual({ sha: recorded.commit.sha, tree: recorded.commit.tree.sha });
    for (const { sent, exchange } of replayed(rig, answers)) expect(requestDrift(exchange, sent)).toEqual([]);
  });
});
