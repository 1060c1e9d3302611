import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { signBody } from '../../functions/feedback/hmac-signature';
import { helmReleaseEvent, marshalLikeGo } from '../../functions/local/flux-release-event';
import type { LocalQueueOptions } from '../../functions/local/local-queue';
import { startLocalRuntime } from '../../functions/local/local-runtime';
import type { UploadOutcome } from '../../functions/pipeline/upload-outcome';
import { buildArchive, chartEntries } from '../../test/support/tar-fixtures';
import { computed, sample, summarize } from '../lib/figures';
import type { Scenario } from '../lib/scenario';

/**
 * Scenario 8: the feedback ingress of the embedded runtime (the same path as the function URL: verify,
 * journal durably, answer 202; the worker drains the queue).
 *
 * - Time to answer: 50 signed Flux events posted at once to the local endpoint, each post timed from
 *   the request to its answer; p50 and p99 over every post of every measured run. Goal: p99 < 250 ms.
 * - Fault run: events for 10 releases, while the worker fails its first batch before acting and is
 *   "killed" after acting on its second (its answer lost, so the whole batch comes back): every
 *   accepted event must end handled (0 lost), each promotion committed once; then every event is
 *   replayed and nothing changes.
 */

const CONCURRENT = 50;
const RELEASES = 10;
const POLICY = 'environments:\n  - name: dev\n  - name: staging\n    after: dev\n';

const percentile = (samples: readonly number[], p: number): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export const feedbackIngress: Scenario = {
  id: 'feedback-ingress',
  title: '8. Feedback ingress: time to answer 50 concurrent signed posts; a failing worker loses nothing',
  run: async (context) => {
    const { sink, plan, log } = context;
    const root = await mkdtemp(path.join(tmpdir(), 'bench-feedback-'));
    try {
      // --- Time to answer ------------------------------------------------------------------------
      const runtime = await startLocalRuntime({ workdir: path.join(root, 'ack'), policy: POLICY });
      const key = new TextEncoder().encode(runtime.webhookToken);
      const all: number[] = [];
      let round = 0;
      try {
        const rounds = await sample(plan, async (run) => {
          const posts = Array.from({ length: CONCURRENT }, (_, i) => {
            // Distinct events (one per release), as a cluster's helm-controller sends them.
            const body = marshalLikeGo(
              helmReleaseEvent({
                namespace: 'dev',
                name: `app-${round}-${i}`,
                reason: 'UpgradeSucceeded',
                revision: '1.0.0',
                timestamp: new Date(),
              }),
            );
            return { body, signature: signBody(key, body) };
          });
          round++;
          const times = await Promise.all(
            posts.map(async ({ body, signature }) => {
              const started = performance.now();
              const response = await fetch(runtime.feedbackUrl, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'x-signature': signature },
                body,
              });
              await response.arrayBuffer();
              const ms = performance.now() - started;
              if (response.status !== 202) throw new Error(`answered ${response.status}, want 202`);
              return ms;
            }),
          );
          if (run >= 0) all.push(...times);
          await runtime.feedbackIdle();
          return { p50: percentile(times, 50), p99: percentile(times, 99) };
        });
        const p50 = percentile(all, 50);
        const p99 = percentile(all, 99);
        const note = `${all.length} posts, ${CONCURRENT} at once, local endpoint`;
        sink.figure('time.feedback-ack-p50', computed(p50, 'ms', rounds.p50.length, note));
        sink.figure('time.feedback-ack-p99', computed(p99, 'ms', rounds.p99.length, note));
        sink.figure(
          'time.feedback-ack-p99-per-round',
          summarize(rounds.p99, 'ms', 'p99 of each round of 50'),
        );
        sink.target({
          target: 'feedback ack p99 < 250 ms under 50 concurrent signed posts',
          evidence: `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms over ${all.length} posts`,
          met: p99 < 250,
        });
      } finally {
        await runtime.close();
      }

      // --- Fault run -------------------------------------------------------------------------------
      let batches = 0;
      const wrapWorker =
        (handle: LocalQueueOptions['handle']): LocalQueueOptions['handle'] =>
        async (event) => {
          batches++;
          if (batches === 1) throw new Error('worker failed before acting (transient)');
          const response = await handle(event);
          if (batches === 2) throw new Error('worker killed after acting, before answering');
          return response;
        };
      const outcomes: UploadOutcome[] = [];
      const faulty = await startLocalRuntime({
        workdir: path.join(root, 'fault'),
        policy: POLICY,
        onOutcomes: (list) => outcomes.push(...list),
        feedback: { wrapWorker, queue: { visibilityDelayMs: 50 } },
      });
      try {
        for (let i = 0; i < RELEASES; i++) {
          const archive = await buildArchive(chartEntries(`svc-${i}`, '1.0.0'));
          await faulty.s3.client.send(
            new PutObjectCommand({
              Bucket: faulty.bucket,
              Key: `${faulty.prefix}svc-${i}-1.0.0.tgz`,
              Body: archive,
            }),
          );
        }
        await faulty.idle();
        const promoted = outcomes.filter((o) => o.status === 'promoted');
        if (promoted.length !== RELEASES)
          throw new Error(`${promoted.length} of ${RELEASES} uploads promoted`);
        const events = promoted.map((o) =>
          helmReleaseEvent({
            namespace: 'dev',
            name: o.chart!,
            reason: 'InstallSucceeded',
            revision: '1.0.0',
            runId: o.runId,
            timestamp: new Date(),
          }),
        );
        const delivered = await Promise.all(events.map((event) => faulty.signAndDeliver(event)));
        const accepted = delivered.filter((d) => d.response.statusCode === 202).length;
        const handled = delivered.filter((d) => d.worked?.status === 'handled');
        const acted = handled.filter((d) => d.worked?.status === 'handled' && !d.worked.duplicate).length;
        const lost = accepted - handled.length;
        const replays = await Promise.all(events.map((event) => faulty.signAndDeliver(event)));
        const replayActed = replays.filter(
          (d) => d.worked?.status === 'handled' && !d.worked.duplicate,
        ).length;
        sink.figure('count.feedback-fault-accepted', computed(accepted, 'events', 1));
        sink.figure('count.feedback-fault-lost', computed(lost, 'events', 1, 'accepted but never handled'));
        sink.figure(
          'count.feedback-fault-worker-batches',
          computed(batches, 'batches', 1, 'first failed before acting, second killed after acting'),
        );
        sink.figure(
          'count.feedback-replay-acted',
          computed(replayActed, 'events', 1, 'replayed events acted on again (want 0)'),
        );
        sink.target({
          target: 'no accepted Flux event lost when the worker fails and is killed mid-batch',
          evidence: `${accepted} accepted, ${acted} acted on, ${lost} lost; replays acted on: ${replayActed}`,
          met: lost === 0 && acted === RELEASES && replayActed === 0,
        });
        log(`  fault run: ${accepted} accepted, ${lost} lost, ${batches} worker batches`);
      } finally {
        await faulty.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};
