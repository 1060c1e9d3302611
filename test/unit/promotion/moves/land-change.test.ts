import { describe, expect, it } from 'vitest';
import type { ChangeSet, GitHost, PullRequestRequest } from '../../../../functions/ports/git-host';
import { landChange } from '../../../../functions/promotion/moves/land-change';

/**
 * landChange, the one way environment moves and values changes land: a gated environment on a Git
 * host that cannot push a branch is refused PULL_REQUEST_UNSUPPORTED (the callers' refusal as is) and
 * nothing is written; plain git gets the branch only; a host with pull requests gets branch + request.
 * Every registered host can push branches today; a GitHost given through the programmatic entry
 * (functions/index.ts) need not.
 */
const HEAD = 'a'.repeat(40);
const CHANGES: ChangeSet = { message: 'promote web 1.0.0 to prod', changes: [] };
const REQUEST: PullRequestRequest = { head: 'promote/prod/web', base: 'main', title: 't', body: 'b' };

const recordingHost = (can: { setBranch?: boolean; openPullRequest?: boolean }) => {
  const calls: string[] = [];
  const host: GitHost = {
    kind: 'test',
    location: 'memory',
    snapshot: async () => ({ head: HEAD, files: new Map(), trees: new Map() }),
    commit: async (branch) => {
      calls.push(`commit ${branch}`);
      return { sha: 'b'.repeat(40) } as Awaited<ReturnType<GitHost['commit']>>;
    },
    ...(can.setBranch
      ? {
          setBranch: async (branch: string) => {
            calls.push(`setBranch ${branch}`);
          },
        }
      : {}),
    ...(can.openPullRequest
      ? {
          openPullRequest: async (request: PullRequestRequest) => {
            calls.push(`openPullRequest ${request.head}`);
            return { number: 7, url: 'https://example.test/pull/7', created: true };
          },
        }
      : {}),
  };
  return { host, calls };
};

const land = (host: GitHost, mode: 'direct' | 'pull-request') =>
  landChange(host, 'main', HEAD, mode, CHANGES, () => REQUEST, 'prod');

describe('landChange', () => {
  it('refuses PULL_REQUEST_UNSUPPORTED for a gated environment on a host that cannot push branches, and writes nothing', async () => {
    // Prepare
    const { host, calls } = recordingHost({ openPullRequest: true });
    // Act
    const landing = await land(host, 'pull-request');
    // Assess
    expect(landing).toEqual({
      status: 'refused',
      code: 'PULL_REQUEST_UNSUPPORTED',
      message: 'prod takes changes by pull request, and this Git host cannot push branches',
    });
    expect(calls).toEqual([]);
  });

  it('commits directly for a direct environment', async () => {
    // Prepare
    const { host, calls } = recordingHost({});
    // Act
    const landing = await land(host, 'direct');
    // Assess
    expect(landing.status).toBe('committed');
    expect(calls).toEqual(['commit main']);
  });

  it('pushes the branch only on a host without pull requests (plain git)', async () => {
    // Prepare
    const { host, calls } = recordingHost({ setBranch: true });
    // Act
    const landing = await land(host, 'pull-request');
    // Assess
    expect(landing).toMatchObject({ status: 'branch-pushed', branch: 'promote/prod/web' });
    expect(calls).toEqual(['setBranch promote/prod/web', 'commit promote/prod/web']);
  });

  it('pushes the branch and opens the pull request where the host has them', async () => {
    // Prepare
    const { host, calls } = recordingHost({ setBranch: true, openPullRequest: true });
    // Act
    const landing = await land(host, 'pull-request');
    // Assess
    expect(landing).toMatchObject({ status: 'pull-request', number: 7, branch: 'promote/prod/web' });
    expect(calls).toEqual([
      'setBranch promote/prod/web',
      'commit promote/prod/web',
      'openPullRequest promote/prod/web',
    ]);
  });
});
