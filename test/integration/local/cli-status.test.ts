import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listedCommand } from '../../../cli/command';
import { statusCommand } from '../../../cli/commands/status';
import { runCli } from '../../../cli/main';
import { DynamoDbReleaseLedger } from '../../../functions/adapters/ledger/dynamodb-release-ledger';
import { LOCAL_DYNAMODB_CREDENTIALS, startLocalDynamoDb } from '../../../functions/local/local-dynamodb';
import { startLocalLedger } from '../../../functions/local/local-ledger';
import type { ReleaseRecord } from '../../../functions/ports/release-ledger';
import { captureIo } from '../../support/cli-capture';

const T = '2026-01-01T00:00:00.000Z';
const RECORDS: ReleaseRecord[] = [
  {
    chart: 'web',
    environment: 'dev',
    version: '1.1.0',
    state: 'converged',
    since: T,
    committedAt: '2026-01-01T00:00:00.000Z',
    leadTimeMs: 252_000,
    runId: 'r1',
    revision: 2,
  },
  {
    chart: 'web',
    environment: 'staging',
    version: '1.1.0',
    state: 'committed',
    since: T,
    committedAt: '2026-01-01T00:01:00.000Z',
    deadline: '2026-01-01T00:16:00.000Z',
    runId: 'r1',
    revision: 1,
  },
  {
    chart: 'web',
    environment: 'prod',
    version: '1.1.0',
    state: 'proposed',
    since: T,
    committedAt: '2026-01-01T00:02:00.000Z',
    pullRequest: {
      number: 42,
      url: 'https://github.com/acme/cluster/pull/42',
      branch: 'promote/prod/web-1.1.0',
    },
    runId: 'r1',
    revision: 1,
  },
  {
    chart: 'api',
    environment: 'dev',
    version: '2.0.0',
    state: 'not-converged',
    since: T,
    committedAt: '2026-01-01T00:00:30.000Z',
    reason: 'DEADLINE',
    runId: 'r2',
    revision: 2,
  },
];

/** A DynamoDB client to a local endpoint, for `status --table` (no AWS). */
const clientFor = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_DYNAMODB_CREDENTIALS,
    maxAttempts: 1,
  });

describe('chart-promoter status', () => {
  let workdir: string;
  let tableEndpoint: string;
  let closeTable: () => Promise<void>;
  const run = async (args: string[], endpoint = tableEndpoint) => {
    const io = captureIo();
    const program = {
      version: 'test',
      commands: [listedCommand('status', statusCommand({ dynamodb: async () => clientFor(endpoint) }))],
    };
    const code = await runCli(['status', ...args], io, program);
    return { code, out: io.out(), err: io.err() };
  };

  beforeAll(async () => {
    // A stopped local runtime's ledger (the LevelDB directory only) …
    workdir = await mkdtemp(join(tmpdir(), 'cli-status-'));
    const local = await startLocalLedger(workdir);
    const ledger = new DynamoDbReleaseLedger(local.db.client, local.db.tableName);
    for (const record of RECORDS) await ledger.put(record, undefined);
    await local.close();
    // … and a "deployed" table (dynalite again, reached through --table).
    const deployed = await startLocalDynamoDb({ tableName: 'chart-promoter-ledger-prod' });
    const remote = new DynamoDbReleaseLedger(deployed.client, deployed.tableName);
    for (const record of RECORDS) await remote.put(record, undefined);
    tableEndpoint = deployed.endpoint;
    closeTable = () => deployed.close();
  });

  afterAll(async () => {
    await closeTable?.();
    await rm(workdir, { recursive: true, force: true });
  });

  it('prints the matrix of a local ledger: one line per chart and environment, in pipeline order', async () => {
    // Act
    const { code, out } = await run(['--workdir', workdir]);
    // Assess
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^ {2}CHART\s+ENVIRONMENT\s+VERSION\s+STATE\s+SINCE\s+LEAD TIME\s+PULL REQUEST$/,
    );
    expect(lines.slice(1).map((line) => line.trim().split(/\s+/).slice(0, 4))).toEqual([
      ['api', 'dev', '2.0.0', 'not-converged'],
      ['web', 'dev', '1.1.0', 'converged'],
      ['web', 'staging', '1.1.0', 'committed'],
      ['web', 'prod', '1.1.0', 'proposed'],
    ]);
    expect(lines[2]).toContain('4 m 12 s');
    expect(lines[4]).toContain('#42 https://github.com/acme/cluster/pull/42');
  });

  it('--json gives the environments in order and the records, filtered by --chart and --env', async () => {
    // Act
    const all = JSON.parse((await run(['--workdir', workdir, '--json'])).out);
    const prod = JSON.parse(
      (await run(['--workdir', workdir, '--json', '--chart', 'web', '--env', 'prod'])).out,
    );
    // Assess
    expect(all.environments).toEqual(['dev', 'staging', 'prod']);
    expect(all.releases).toHaveLength(4);
    expect(prod.releases).toEqual([RECORDS[2]]);
  });

  it('reads the ledger of a running local runtime through its endpoint (ledger.json)', async () => {
    // Prepare
    const running = await startLocalLedger(workdir);
    try {
      // Act
      const { code, out } = await run(['--workdir', workdir, '--json', '--env', 'dev']);
      // Assess
      expect(code).toBe(0);
      expect(JSON.parse(out).releases.map((r: ReleaseRecord) => r.chart)).toEqual(['api', 'web']);
    } finally {
      await running.close();
    }
  });

  it('reads a deployed table with --table', async () => {
    // Act
    const { code, out } = await run(['--table', 'chart-promoter-ledger-prod', '--chart', 'api', '--json']);
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(out).releases).toEqual([RECORDS[3]]);
  });

  it.each([
    [['--chart', 'Not_A_Chart'], '--chart takes a chart name'],
    [['--env', 'Prod!'], '--env takes an environment name'],
    [['--table', 'x'], '--table must be a DynamoDB table name'],
    [['--region', 'eu-west-1'], '--region needs --table'],
    [['--table', 'ledger', '--workdir', '.'], 'exclude each other'],
    [['--bogus'], 'Unknown option'],
  ])('refuses %j with USAGE (exit 2)', async (args, message) => {
    // Act
    const { code, err } = await run(args);
    // Assess
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it('names a work dir without a ledger LEDGER_NOT_FOUND (exit 2)', async () => {
    // Prepare
    const empty = await mkdtemp(join(tmpdir(), 'cli-status-empty-'));
    try {
      // Act
      const { code, out } = await run(['--workdir', empty, '--json']);
      // Assess
      expect(code).toBe(2);
      expect(JSON.parse(out).errors[0].code).toBe('LEDGER_NOT_FOUND');
      expect(JSON.parse(out).errors[0].message).toContain(join(empty));
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('names a missing table LEDGER_MISCONFIGURED (exit 2) and an unreachable one LEDGER_UNAVAILABLE (exit 1)', async () => {
    // Prepare
    const stopped = await startLocalDynamoDb();
    await stopped.close();
    // Act
    const missing = await run(['--table', 'no-such-table', '--json']);
    const unreachable = await run(['--table', 'chart-promoter-ledger-prod', '--json'], stopped.endpoint);
    // Assess
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.out).errors[0].code).toBe('LEDGER_MISCONFIGURED');
    expect(unreachable.code).toBe(1);
    expect(JSON.parse(unreachable.out).errors[0].code).toBe('LEDGER_UNAVAILABLE');
  });
});
