import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listedCommand } from '../../cli/command';
import { statusCommand } from '../../cli/commands/status';
import { runCli } from '../../cli/main';
import { DynamoDbReleaseLedger } from '../../functions/adapters/ledger/dynamodb-release-ledger';
import { startLocalLedger } from '../../functions/local/local-ledger';
import { recordRelease } from '../../functions/promotion/ledger/record-release';
import type { ReleaseObservation } from '../../functions/promotion/ledger/release-transitions';
import { largeView } from '../../test/support/board-views';
import { computed, sample, summarize, timed } from '../lib/figures';
import type { Scenario } from '../lib/scenario';

/**
 * Scenario 8: the release ledger on the local runtime's dynalite (127.0.0.1) at 200 charts × 5
 * environments: `chart-promoter status` end to end (argument parsing, a Scan of the whole table, the
 * table rendered), with the runtime running (its endpoint) and stopped (dynalite opened on the
 * directory for the read); the writes one promotion makes (upload → dev converged → staging
 * converged → prod proposed, counted from the records' revisions) and the time of one
 * recordRelease (a strongly consistent read and a conditional write).
 */
const CHARTS = 200;
const ENVIRONMENTS = 5;

const quietIo = { stdout: { write: () => true }, stderr: { write: () => true } };

export const ledgerStatus: Scenario = {
  id: 'ledger',
  title: 'Release ledger: status latency at 200 × 5, writes per promotion',
  run: async (context) => {
    const { sink, plan } = context;
    const workdir = await mkdtemp(join(tmpdir(), 'bench-ledger-'));
    const program = {
      version: 'bench',
      commands: [
        listedCommand(
          'status',
          statusCommand({ dynamodb: async () => Promise.reject(new Error('local only')) }),
        ),
      ],
    };
    const status = async () => {
      const code = await runCli(['status', '--workdir', workdir], quietIo, program);
      if (code !== 0) throw new Error(`status exited ${code}`);
    };
    try {
      const local = await startLocalLedger(workdir);
      const ledger = new DynamoDbReleaseLedger(local.db.client, local.db.tableName);
      const view = largeView(CHARTS, ENVIRONMENTS);
      for (const record of view.releases) await ledger.put(record, undefined);

      const running = await sample(plan, async () => ({ ms: (await timed(status)).ms }));
      sink.figure(
        `time.status-local-running.${CHARTS}x${ENVIRONMENTS}`,
        summarize(running.ms, 'ms', 'chart-promoter status, local runtime running (its dynalite endpoint)'),
      );

      // One promotion's writes, on a chart of its own.
      const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
      const base = { chart: 'bench-web', version: '1.0.0', runId: 'bench-run' };
      const steps: ReleaseObservation[] = [
        { ...base, kind: 'committed', environment: 'dev', at: at(0), deadline: at(900) },
        { ...base, kind: 'converged', environment: 'dev', at: at(30), leadTimeMs: 30_000 },
        { ...base, kind: 'committed', environment: 'staging', at: at(31), deadline: at(931) },
        { ...base, kind: 'converged', environment: 'staging', at: at(60), leadTimeMs: 60_000 },
        {
          ...base,
          kind: 'proposed',
          environment: 'prod',
          at: at(61),
          branch: 'promote/prod/bench-web-1.0.0',
        },
        { ...base, kind: 'converged', environment: 'prod', at: at(600), leadTimeMs: 600_000 },
      ];
      const writeTimes: number[] = [];
      for (const step of steps) writeTimes.push((await timed(() => recordRelease(ledger, step))).ms);
      const written = await ledger.list({ chart: 'bench-web' });
      sink.figure(
        'ledger.writes-per-promotion.3-environments',
        computed(
          written.reduce((n, r) => n + r.revision, 0),
          'writes',
          1,
          'dev committed+converged, staging committed+converged, prod proposed+converged (each a GetItem + a conditional PutItem)',
        ),
      );
      sink.figure(
        'time.ledger-record-release',
        summarize(writeTimes, 'ms', 'recordRelease: consistent GetItem + conditional PutItem, dynalite'),
      );
      await local.close();

      const stopped = await sample(plan, async () => ({ ms: (await timed(status)).ms }));
      sink.figure(
        `time.status-local-stopped.${CHARTS}x${ENVIRONMENTS}`,
        summarize(
          stopped.ms,
          'ms',
          'chart-promoter status, no runtime: dynalite opened on <workdir>/ledger for the read',
        ),
      );
    } finally {
      await rm(workdir, { recursive: true, force: true });
    }
  },
};
