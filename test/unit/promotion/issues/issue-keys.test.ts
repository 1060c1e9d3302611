import { describe, expect, it } from 'vitest';
import {
  ISSUES_RELEASE_ANNOTATION,
  isIssueKey,
  issueTrailers,
  MAX_ISSUE_KEYS,
  parseIssueKeys,
  uploadIssueKeys,
} from '../../../../functions/promotion/issues/issue-keys';
import { releaseIssueKeys } from '../../../../functions/promotion/issues/issue-keys-release';
import { planEnvironmentMove } from '../../../../functions/promotion/moves/environment-move';
import { pullRequestFor } from '../../../../functions/promotion/moves/pull-request';
import { parsePolicy } from '../../../../functions/promotion/policy/parse-policy';
import { commitMessage } from '../../../../functions/promotion/uploads/commit-message';
import { planPromotions } from '../../../../functions/promotion/uploads/plan-promotions';
import { InMemoryGitHost } from '../../../support/in-memory-git-host';
import { makeRequest, snapshotOf } from '../../../support/promotion-fixtures';

const decoder = new TextDecoder();

describe('issue keys', () => {
  it('accepts Jira keys and rejects everything else', () => {
    for (const key of ['ABC-1', 'A1-22', 'MY_PROJ-12345']) expect(isIssueKey(key)).toBe(true);
    for (const key of ['abc-1', 'A-1', '1AB-2', 'ABC-', 'ABC-1a', 'ABC 1', '-1'])
      expect(isIssueKey(key)).toBe(false);
  });

  it('merges the annotation and the S3 metadata, comma or space separated, without duplicates', () => {
    const keys = uploadIssueKeys(
      { 'chart-promoter/issues': 'ABC-123,ABC-124' },
      { 'chart-promoter-issues': 'ABC-124 OPS-9, nope-1' },
    );
    expect(keys).toEqual({ keys: ['ABC-123', 'ABC-124', 'OPS-9'], rejected: ['nope-1'] });
  });

  it('caps the list', () => {
    const many = Array.from({ length: 50 }, (_, i) => `ABC-${i}`).join(',');
    expect(parseIssueKeys(many).keys).toHaveLength(MAX_ISSUE_KEYS);
  });

  it('writes one git trailer per key, in the trailer paragraph of the commit message', () => {
    expect(issueTrailers(['ABC-1', 'ABC-2'])).toEqual(['Refs: ABC-1', 'Refs: ABC-2']);
    const message = commitMessage([{ ...makeRequest('web', '1.0.0'), issues: ['ABC-1', 'ABC-2'] }]);
    const trailers = message.trimEnd().split('\n\n').at(-1)!.split('\n');
    expect(trailers).toEqual(expect.arrayContaining(['Refs: ABC-1', 'Refs: ABC-2']));
    expect(trailers.every((line) => /^[A-Za-z-]+: \S/.test(line))).toBe(true);
  });
});

describe('issue keys in the HelmRelease', () => {
  it('records the keys with the chart reference, and clears a previous version’s keys', async () => {
    // Prepare: 1.0.0 with keys, then 1.1.0 without.
    const first = { ...makeRequest('web', '1.0.0'), issues: ['ABC-1'] };
    const plan1 = planPromotions(await snapshotOf({}, [first]), [first]);
    const written = new Map(plan1.changeSet!.changes.map((c) => [c.path, decoder.decode(c.content!)]));
    const text1 = written.get('environments/dev/web.yaml')!;
    const second = makeRequest('web', '1.1.0');
    // Act
    const plan2 = planPromotions(await snapshotOf({ 'environments/dev/web.yaml': text1 }, [second]), [
      second,
    ]);
    const text2 = decoder.decode(
      plan2.changeSet!.changes.find((c) => c.path === 'environments/dev/web.yaml')!.content!,
    );
    // Assess
    expect(releaseIssueKeys(text1)).toEqual(['ABC-1']);
    expect(text1).toContain(`${ISSUES_RELEASE_ANNOTATION}: ABC-1`);
    expect(releaseIssueKeys(text2)).toEqual([]);
  });

  it('carries the keys of the source environment into a move’s trailers and pull-request body', async () => {
    // Prepare: dev runs web 1.0.0 with keys; prod takes changes by pull request.
    const request = { ...makeRequest('web', '1.0.0'), issues: ['ABC-1', 'OPS-2'] };
    const plan = planPromotions(await snapshotOf({}, [request]), [request]);
    const files = Object.fromEntries(
      plan.changeSet!.changes.map((c) => [c.path, decoder.decode(c.content!)]),
    );
    const policy = parsePolicy(
      'environments:\n  - name: dev\n  - name: prod\n    after: dev\n    mode: pull-request\n',
    );
    if (!policy.ok) throw new Error('policy');
    const host = new InMemoryGitHost(files);
    const move = {
      kind: 'promote',
      chart: 'web',
      version: '1.0.0',
      from: 'dev',
      to: 'prod',
      runId: 'r1',
    } as const;
    const snapshot = await host.snapshot('main', {
      files: [
        'environments/dev/web.yaml',
        'environments/prod/web.yaml',
        'environments/prod/kustomization.yaml',
      ],
      trees: ['charts/web/1.0.0', 'charts/web/1.0.0/templates'],
    });
    // Act
    const moved = planEnvironmentMove(snapshot, policy.policy, move);
    // Assess
    if (moved.status !== 'planned') throw new Error(moved.status);
    expect(moved.changeSet.message).toContain('Refs: ABC-1\nRefs: OPS-2');
    const prod = decoder.decode(
      moved.changeSet.changes.find((c) => c.path === 'environments/prod/web.yaml')!.content!,
    );
    expect(releaseIssueKeys(prod)).toEqual(['ABC-1', 'OPS-2']);
    expect(pullRequestFor(move, moved, snapshot, 'main').body).toContain('| issues | ABC-1, OPS-2 |');
  });
});
