import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Clock } from '../../../functions/ports/clock';
import { GitHostError } from '../../../functions/ports/git-host-error';
import { CommitContendedError, commitWithRetries } from '../../../functions/promotion/commit-loop';
import type { PromotionRequest } from '../../../functions/promotion/promotion';
import { commitUploads, type UploadCommitOptions } from '../../../functions/promotion/uploads/commit-uploads';
import { InMemoryGitHost } from '../../support/in-memory-git-host';
import { makeRequest } from '../../support/promotion-fixtures';

const fakeClock = () => {
  const sleeps: number[] = [];
  const clock: Clock = { now: () => new Date(0), sleep: async (ms) => void sleeps.push(ms) };
  return { clock, sleeps };
};

const encoder = new TextEncoder();

/** Uploads into the default policy's one environment (dev): what the promote function commits. */
const commitBatch = (
  host: InMemoryGitHost,
  branch: string,
  requests: readonly PromotionRequest[],
  options: Omit<UploadCommitOptions, 'fallbackEnvironment'>,
) => commitUploads(host, branch, requests, { ...options, fallbackEnvironment: 'dev' });

describe('the commit loop (commitWithRetries), as commitUploads runs it', () => {
  it('commits one change set on top of the head it read', async () => {
    // Prepare
    const host = new InMemoryGitHost({ 'README.md': '# cluster\n' });
    const before = host.head;
    const { clock } = fakeClock();
    // Act
    const run = await commitBatch(host, 'main', [makeRequest('web', '1.0.0')], { clock });
    // Assess
    expect(run).toMatchObject({ attempts: 1, conflicts: 0, commit: { sha: host.head, parent: before } });
    expect(run.outcomes.map((o) => o.status)).toEqual(['promoted']);
    expect(host.commits).toHaveLength(1);
    expect(host.commits[0]!.message.split('\n')[0]).toBe('promote web 1.0.0 to dev');
    expect(host.text('environments/dev/web.yaml')).toContain('chart: ./charts/web/1.0.0');
  });

  it('re-plans on the new head after BRANCH_MOVED, keeping the other writer’s kustomization edit', async () => {
    // Prepare
    const host = new InMemoryGitHost();
    const { clock, sleeps } = fakeClock();
    await commitBatch(host, 'main', [makeRequest('web', '1.0.0')], { clock });
    host.injectBranchMoved(1, (files) => {
      const path = 'environments/dev/kustomization.yaml';
      const text = new TextDecoder().decode(files.get(path));
      files.set(path, encoder.encode(`${text}  - monitoring.yaml # added by SRE\n`));
    });
    // Act
    const run = await commitBatch(host, 'main', [makeRequest('api', '2.0.0')], {
      clock,
      random: () => 0.5,
    });
    // Assess
    expect(run).toMatchObject({ attempts: 2, conflicts: 1 });
    expect(host.snapshots).toBe(3);
    expect(sleeps).toEqual([50]);
    const kustomization = host.text('environments/dev/kustomization.yaml')!;
    expect(parse(kustomization).resources).toEqual(['api.yaml', 'web.yaml', 'monitoring.yaml']);
    expect(kustomization).toContain('- monitoring.yaml # added by SRE');
  });

  it('commits nothing when another writer already made the same promotion while we were planning', async () => {
    // Prepare
    const source = new InMemoryGitHost();
    const { clock } = fakeClock();
    await commitBatch(source, 'main', [makeRequest('web', '1.0.0')], { clock });
    const host = new InMemoryGitHost();
    host.injectBranchMoved(1, (files) => {
      for (const [path, data] of source.files) files.set(path, data);
    });
    // Act
    const run = await commitBatch(host, 'main', [makeRequest('web', '1.0.0')], { clock });
    // Assess
    expect(run.commit).toBeUndefined();
    expect(run).toMatchObject({ attempts: 2, conflicts: 1 });
    expect(run.outcomes.map((o) => o.status)).toEqual(['unchanged']);
    expect(host.commits).toHaveLength(0);
  });

  it('gives up after maxAttempts with a retryable COMMIT_CONTENDED, backing off with full jitter', async () => {
    // Prepare
    const host = new InMemoryGitHost();
    const { clock, sleeps } = fakeClock();
    host.injectBranchMoved(5);
    // Act
    const error = await commitBatch(host, 'main', [makeRequest('web', '1.0.0')], {
      clock,
      maxAttempts: 4,
      random: () => 0.999,
    }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(CommitContendedError);
    expect(error).toMatchObject({ code: 'COMMIT_CONTENDED', disposition: 'retryable', attempts: 4 });
    expect((error as Error).cause).toMatchObject({ code: 'BRANCH_MOVED' });
    expect(sleeps).toEqual([99, 199, 399]);
    expect(host.commits).toHaveLength(0);
  });

  it('makes no commit and no retry when everything is already promoted', async () => {
    // Prepare
    const host = new InMemoryGitHost();
    const { clock } = fakeClock();
    await commitBatch(host, 'main', [makeRequest('web', '1.0.0')], { clock });
    const head = host.head;
    // Act
    const run = await commitBatch(host, 'main', [makeRequest('web', '1.0.0')], { clock });
    // Assess
    expect(run).toMatchObject({ attempts: 1, conflicts: 0 });
    expect(run.commit).toBeUndefined();
    expect(host.head).toBe(head);
    expect(host.commits).toHaveLength(1);
  });

  it('lets other host errors propagate unchanged, without retrying', async () => {
    // Prepare
    const host = new InMemoryGitHost();
    const limited = new GitHostError('RATE_LIMITED', 'secondary rate limit');
    host.commit = async () => {
      throw limited;
    };
    const { clock, sleeps } = fakeClock();
    // Act
    const error = await commitBatch(host, 'main', [makeRequest('web', '1.0.0')], { clock }).catch(
      (e: unknown) => e,
    );
    // Assess
    expect(error).toBe(limited);
    expect(host.snapshots).toBe(1);
    expect(sleeps).toEqual([]);
  });
});

describe('commitWithRetries', () => {
  it('tells each round how many rounds and conflicts came before it', async () => {
    // Prepare
    const { clock, sleeps } = fakeClock();
    const seen: unknown[] = [];
    // Act
    const result = await commitWithRetries({ clock, random: () => 0 }, async (rounds) => {
      seen.push(rounds);
      if (rounds.attempts < 3) throw new GitHostError('BRANCH_MOVED', 'moved');
      return 'landed';
    });
    // Assess
    expect(result).toBe('landed');
    expect(seen).toEqual([
      { attempts: 1, conflicts: 0 },
      { attempts: 2, conflicts: 1 },
      { attempts: 3, conflicts: 2 },
    ]);
    expect(sleeps).toEqual([0, 0]);
  });
});
