import { describe, expect, it } from 'vitest';
import { handleFeedback } from '../../../functions/feedback/handle-feedback';
import type { GitHost } from '../../../functions/ports/git-host';
import { GitHostError } from '../../../functions/ports/git-host-error';
import {
  FakeClock,
  feedbackFixture,
  helmReleaseEvent,
  repositoryWithWeb,
  signed,
} from '../../support/feedback-harness';
import type { InMemoryGitHost } from '../../support/in-memory-git-host';

const POLICY = `environments:
  - name: dev
  - name: staging
    after: dev
`;
const NOW = new Date('2026-03-01T10:00:30Z');

/** A Git host whose next `failures` snapshot reads fail as GitHub's 502 does (retryable). */
const flaky = (host: InMemoryGitHost, failures: number): GitHost => {
  let left = failures;
  return new Proxy(host, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (name !== 'snapshot' || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (left > 0) {
          left--;
          throw new GitHostError('HOST_UNAVAILABLE', 'GitHub answered 502 Bad Gateway');
        }
        return value.apply(target, args);
      };
    },
  });
};

const converged = (namespace = 'dev', name = 'web') =>
  helmReleaseEvent({
    namespace,
    name,
    revision: '1.1.0',
    runId: 'run-web-1.1.0',
    timestamp: new Date('2026-03-01T10:00:00Z'),
  });

/** Accepts `events` at the endpoint (202 each); returns the fixture with them queued. */
const accept = async (host: GitHost, clock: FakeClock, events: readonly unknown[]) => {
  const fixture = feedbackFixture(host, clock);
  for (const event of events) {
    const answer = await handleFeedback(signed(event), fixture.ingress, fixture.ingressSettings);
    expect(answer.statusCode).toBe(202);
  }
  return fixture;
};

describe('the feedback worker (SQS batches, Powertools idempotency on dynalite)', () => {
  it('reports a transient Git host failure as a batch item failure; the redelivery acts on the event', async () => {
    // Prepare
    const clock = new FakeClock(NOW);
    const repository = await repositoryWithWeb(POLICY, ['1.0.0', '1.1.0'], clock);
    const host = flaky(repository, 1);
    const { queued, work, metrics } = await accept(host, clock, [converged()]);
    // Act
    const first = await work(queued, 1);
    const redelivered = await work(queued, 2);
    // Assess
    expect(first.response.batchItemFailures).toHaveLength(1);
    expect(first.failed).toMatchObject([{ code: 'HOST_UNAVAILABLE', receiveCount: 1, deadLettered: false }]);
    expect(metrics.total('FeedbackWorkFailed')).toBe(1);
    expect(redelivered.response).toEqual({ batchItemFailures: [] });
    expect(redelivered.handled).toMatchObject([{ duplicate: false, outcome: { status: 'converged' } }]);
    expect(repository.text('environments/staging/web.yaml')).toContain('chart: ./charts/web/1.1.0');
  });

  it('marks the failure at the last receive as dead-lettered', async () => {
    // Prepare
    const clock = new FakeClock(NOW);
    const host = flaky(await repositoryWithWeb(POLICY, ['1.0.0', '1.1.0'], clock), 1);
    const { queued, work } = await accept(host, clock, [converged()]);
    // Act
    const last = await work(queued, 5);
    // Assess
    expect(last.failed).toMatchObject([{ receiveCount: 5, deadLettered: true }]);
  });

  it('holds back the later events of a failed release (FIFO group), not those of other releases', async () => {
    // Prepare
    const clock = new FakeClock(NOW);
    const host = flaky(await repositoryWithWeb(POLICY, ['1.0.0', '1.1.0'], clock), 1);
    const failing = converged();
    const later = { ...converged(), reason: 'TestSucceeded' };
    const other = converged('dev', 'api');
    const { queued, work } = await accept(host, clock, [failing, later, other]);
    // Act
    const result = await work(queued, 1);
    // Assess: the failed one and the later event of the same release come back; the other release goes on.
    expect(result.response.batchItemFailures).toHaveLength(2);
    expect(result.handled).toMatchObject([{ event: { name: 'api' } }]);
  });

  it('acts on an event once when two deliveries run at the same time in two worker instances', async () => {
    // Prepare
    const clock = new FakeClock(NOW);
    const host = await repositoryWithWeb(POLICY, ['1.0.0', '1.1.0'], clock);
    const one = await accept(host, clock, [converged()]);
    const two = feedbackFixture(host, clock, { table: await one.table });
    const head = host.head;
    // Act
    const [a, b] = await Promise.all([one.work(one.queued, 1), two.work(one.queued, 1)]);
    // Assess: one commit to staging; the other delivery either saw it done or in progress (retried).
    const handled = [...a.handled, ...b.handled].filter((h) => !h.duplicate);
    const failed = [...a.failed, ...b.failed];
    expect(handled).toHaveLength(1);
    expect(failed.every((f) => f.code === 'IN_PROGRESS_ELSEWHERE')).toBe(true);
    expect(host.commits.length).toBe(3);
    expect(host.head).not.toBe(head);
  });
});
