import * as fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHost } from '../../../functions/adapters/git-hosts/registry';
import { ensureClusterRepository } from '../../../functions/local/cluster-repository';
import type { UploadOutcome } from '../../../functions/pipeline/upload-outcome';
import type { GitHost } from '../../../functions/ports/git-host';
import { commitFile } from '../../support/bare-repo';
import { type GitHttpServer, startGitHttpServer } from '../../support/git-http-server';
import {
  BRANCH,
  eventBridgeRecord,
  FIXTURE_CHARTS,
  logObjects,
  newPipeline,
  s3NotificationRecord,
  useWorld,
} from '../../support/pipeline/harness';
import { buildChart } from '../../support/tar-fixtures';

/** What a leaked credential would look like in a log line: unique, never otherwise produced. */
const SECRET = 'glpat-TESTSECRET-9f8e7d6c5b4a3210';

/** A thin GitHost over the real one: another writer moves the branch just before our first commit. */
const raceOnFirstCommit = (inner: GitHost, repo: string): GitHost => {
  let raced = false;
  return {
    kind: inner.kind,
    location: inner.location,
    snapshot: (branch, request) => inner.snapshot(branch, request),
    commit: async (branch, expectedHead, changeSet) => {
      if (!raced) {
        raced = true;
        await commitFile(repo, branch, 'OWNERS', 'someone else was here\n');
      }
      return inner.commit(branch, expectedHead, changeSet);
    },
  };
};

/** Lines of one run (same runId). */
const runLines = (lines: readonly string[], outcome: UploadOutcome) =>
  logObjects(lines).filter((line) => line.runId === outcome.runId);

describe('handleSqsBatch observability: Powertools log lines and metrics', () => {
  const world = useWorld();

  it('writes only JSON lines, and every line of a run carries its runId, chart, version, environment and key', async () => {
    // Prepare
    const pipeline = await newPipeline(world);
    const promoted = await world.upload('incoming/obs-a-1.0.0.tgz', await buildChart('obs-a', '1.0.0'));
    const refused = await world.upload(
      'incoming/argo-cd-10.1.1.tgz',
      await readFile(path.join(FIXTURE_CHARTS, 'argo-cd-10.1.1-missing-dependency.tgz')),
    );
    const ignored = await world.upload('incoming/readme.md', new TextEncoder().encode('# hi'));

    // Act
    const { outcomes } = await pipeline.run(
      s3NotificationRecord(promoted),
      eventBridgeRecord(refused),
      s3NotificationRecord(ignored),
    );

    // Assess
    expect(pipeline.lines.length).toBeGreaterThanOrEqual(3);
    const all = logObjects(pipeline.lines);
    expect(all.every((line) => line.service === 'chart-promoter' && typeof line.timestamp === 'string')).toBe(
      true,
    );
    const [ok, no, skip] = outcomes;
    const head = await pipeline.head();
    const okLines = runLines(pipeline.lines, ok!);
    expect(okLines.length).toBeGreaterThan(0);
    for (const line of okLines) {
      expect(line).toMatchObject({
        chart: 'obs-a',
        version: '1.0.0',
        environment: 'dev',
        s3Key: promoted.key,
        s3Bucket: 'charts',
        commit: head,
        status: 'promoted',
      });
    }
    const refusedLines = runLines(pipeline.lines, no!);
    expect(refusedLines.length).toBeGreaterThan(0);
    for (const line of refusedLines) {
      expect(line).toMatchObject({
        level: 'WARN',
        environment: 'dev',
        s3Key: refused.key,
        code: 'CHART_DEPENDENCY_MISSING',
      });
      expect(line.commit).toBeUndefined();
    }
    expect(runLines(pipeline.lines, skip!)).toMatchObject([
      { s3Key: ignored.key, code: 'NOT_A_CHART_ARCHIVE' },
    ]);
  });

  it('records ChartsPromoted, ChartsRefused by code, PromotionDurationMs and CommitConflictsRetried', async () => {
    // Prepare
    const pipeline = await newPipeline(world, (deps) => ({
      host: raceOnFirstCommit(deps.host, (deps.host as { location: string }).location),
    }));
    const a = await world.upload('incoming/met-a-1.0.0.tgz', await buildChart('met-a', '1.0.0'));
    const b = await world.upload('incoming/met-b-3.1.0.tgz', await buildChart('met-b', '3.1.0'));
    const bad = await world.upload('incoming/met-bad.tgz', await buildChart('met-bad', 'v1..0'));
    const argo = await world.upload(
      'incoming/argo-cd-metrics.tgz',
      await readFile(path.join(FIXTURE_CHARTS, 'argo-cd-10.1.1-missing-dependency.tgz')),
    );

    // Act
    const { outcomes } = await pipeline.run(
      s3NotificationRecord(a),
      s3NotificationRecord(b),
      s3NotificationRecord(bad),
      s3NotificationRecord(argo),
    );

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(['promoted', 'promoted', 'refused', 'refused']);
    // The competing commit is kept: ours was re-planned on top of it.
    expect(await pipeline.git('log', '--format=%s', '-2', BRANCH)).toMatch(/^promote .*\ncompeting: OWNERS$/);
    const { metrics } = pipeline;
    expect(metrics.total('ChartsPromoted')).toBe(2);
    expect(metrics.total('CommitConflictsRetried')).toBe(1);
    const refusals = metrics.recorded.filter((m) => m.name === 'ChartsRefused');
    expect(refusals.map((m) => [m.value, m.dimensions?.code]).sort()).toEqual([
      [1, 'CHART_DEPENDENCY_MISSING'],
      [1, 'CHART_VERSION_INVALID'],
    ]);
    const durations = metrics.recorded.filter((m) => m.name === 'PromotionDurationMs');
    expect(durations.map((m) => m.unit)).toEqual(['Milliseconds', 'Milliseconds']);
    expect(durations.map((m) => m.value)).toEqual([outcomes[0]!.durationMs, outcomes[1]!.durationMs]);
    expect(durations.every((m) => m.value > 0 && m.value < 30_000)).toBe(true);
    expect(metrics.total('UploadsRetried')).toBe(0);
  });

  describe('over HTTP with a token (the config a deployment uses)', () => {
    let server: GitHttpServer;
    let root: string;

    beforeAll(async () => {
      root = path.join(world.dir, 'git-http');
      await ensureClusterRepository(path.join(root, 'cluster.git'), BRANCH);
      server = await startGitHttpServer({ root, auth: { username: 'oauth2', password: SECRET } });
    });

    afterAll(async () => {
      await server?.close();
    });

    const httpPipeline = (repository: string, token: string) =>
      newPipeline(world, async () => {
        const git = await createGitHost('git', {
          repository,
          credentials: { kind: 'token', token },
          workDir: fs.mkdtempSync(path.join(world.dir, 'work-')),
        });
        return { host: git.host, gitHostRequests: git.requests };
      });

    /** Everything a human or a log query could see of the runs. */
    const visible = (lines: readonly string[], outcomes: readonly UploadOutcome[]): string =>
      [...lines, ...outcomes.map((o) => JSON.stringify(o))].join('\n');

    it('promotes through the Git host, counts its requests, and never logs the token', async () => {
      // Prepare
      const pipeline = await httpPipeline(server.url('cluster.git'), SECRET);
      const object = await world.upload('incoming/http-a-1.0.0.tgz', await buildChart('http-a', '1.0.0'));

      // Act
      const { response, outcomes } = await pipeline.run(s3NotificationRecord(object));

      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(outcomes).toMatchObject([{ status: 'promoted' }]);
      expect(pipeline.metrics.total('GitHostRequests')).toBeGreaterThan(0);
      expect(visible(pipeline.lines, outcomes)).not.toContain(SECRET);
    });

    it('retries when the token is refused, and neither token appears in any line or message', async () => {
      // Prepare
      const wrong = 'glpat-WRONGTOKEN-0123456789abcdef';
      const pipeline = await httpPipeline(server.url('cluster.git'), wrong);
      const object = await world.upload('incoming/http-b-1.0.0.tgz', await buildChart('http-b', '1.0.0'));
      const record = s3NotificationRecord(object);

      // Act
      const { response, outcomes } = await pipeline.run(record);

      // Assess
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
      expect(outcomes).toMatchObject([{ status: 'retry', code: 'AUTH_FAILED' }]);
      const text = visible(pipeline.lines, outcomes);
      expect(
        logObjects(pipeline.lines).some((line) => line.level === 'ERROR' && line.code === 'AUTH_FAILED'),
      ).toBe(true);
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(SECRET);
    });

    it('keeps a token written into the repository URL out of the logs when the host is unreachable', async () => {
      // Prepare: a URL with credentials in it, to a port nothing listens on any more.
      const closed = await startGitHttpServer({ root });
      const url = new URL(closed.url('cluster.git'));
      await closed.close();
      url.username = 'oauth2';
      url.password = SECRET;
      const pipeline = await httpPipeline(url.href, SECRET);
      const object = await world.upload('incoming/http-c-1.0.0.tgz', await buildChart('http-c', '1.0.0'));

      // Act
      const { response, outcomes } = await pipeline.run(s3NotificationRecord(object));

      // Assess
      expect(response.batchItemFailures).toHaveLength(1);
      expect(outcomes).toMatchObject([{ status: 'retry', code: 'HOST_UNAVAILABLE' }]);
      expect(visible(pipeline.lines, outcomes)).not.toContain(SECRET);
    });
  });
});
