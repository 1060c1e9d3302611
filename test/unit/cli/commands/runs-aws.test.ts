import {
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  type ResultField,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import type { CliDependencies, LogsQueryClient } from '../../../../cli/command';
import { listedCommand } from '../../../../cli/command';
import { runsCommand } from '../../../../cli/commands/runs';
import { runCli } from '../../../../cli/main';
import { RUN_QUERIES } from '../../../../infra/monitoring/run-queries';
import { captureIo } from '../../../support/cli-capture';

/**
 * `runs --log-group`: the AWS mode, with a fake CloudWatch Logs client (Logs Insights cannot run here).
 * The fake checks what StartQuery asks for and answers GetQueryResults from a script; a fake clock
 * makes the polling (and its timeout) instant.
 */
const NOW = Date.parse('2026-03-01T12:00:00.000Z');

type Status = NonNullable<GetQueryResultsCommandOutput['status']>;
type Answer = { readonly status: Status; readonly results?: ResultField[][] } | Error;

const row = (fields: Record<string, string>): ResultField[] =>
  Object.entries(fields).map(([field, value]) => ({ field, value }));

/** An outcome line as Logs Insights returns it (values are strings, @timestamp in its own format). */
const outcomeRow = (at: string, runId: string, extra: Record<string, string> = {}) =>
  row({
    '@timestamp': at,
    runId,
    chart: 'web',
    version: '1.2.0',
    environment: 'dev',
    status: 'promoted',
    s3Bucket: 'uploads',
    s3Key: `incoming/web-${runId}.tgz`,
    durationMs: '1234',
    ...extra,
  });

/**
 * `answers` script the runs query; the `stats` query counting ignored objects (sent after it, when
 * they are folded) gets `ignored`, default: none.
 */
const fakeLogs = (
  answers: readonly Answer[],
  start: Answer | undefined = undefined,
  ignored: Answer = { status: 'Complete', results: [] },
) => {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  let clock = NOW;
  let next = 0;
  let region: string | undefined;
  const statsQueries = new Set<string>();
  const client: LogsQueryClient = {
    send: async (command) => {
      sent.push({ name: command.constructor.name, input: { ...command.input } });
      if (command instanceof StartQueryCommand) {
        if (start instanceof Error) throw start;
        const queryId = `q-${sent.filter((s) => s.name === 'StartQueryCommand').length}`;
        if (String(command.input.queryString).includes('| stats ')) statsQueries.add(queryId);
        return { $metadata: {}, queryId };
      }
      if (command instanceof StopQueryCommand) return { $metadata: {}, success: true };
      expect(command).toBeInstanceOf(GetQueryResultsCommand);
      const answer = statsQueries.has(String(command.input.queryId))
        ? ignored
        : answers[Math.min(next++, answers.length - 1)];
      if (answer === undefined || answer instanceof Error) throw answer ?? new Error('no answer');
      return { $metadata: {}, ...answer };
    },
  };
  const sleeps: number[] = [];
  const poll = {
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
  };
  const deps: Pick<CliDependencies, 'logs'> = {
    logs: async (r) => {
      region = r;
      return client;
    },
  };
  const program = { version: 'test', commands: [listedCommand('runs', runsCommand(deps, poll))] };
  return { program, sent, sleeps, region: () => region };
};

const awsError = (name: string, message: string): Error => Object.assign(new Error(message), { name });

describe('chart-promoter runs --log-group (AWS mode, fake CloudWatch Logs client)', () => {
  it("starts the stack's runs query over the window, polls until Complete and prints the runs newest last", async () => {
    // Prepare: the query answers newest first (sort @timestamp desc), first Running with partial rows.
    const complete = [
      outcomeRow('2026-03-01 11:50:00.000', 'run-3', {
        status: 'refused',
        code: 'UNSAFE_PATH',
        reason: 'entry escapes the chart',
        path: '../x',
      }),
      outcomeRow('2026-03-01 11:40:00.000', 'run-2', { commit: 'c'.repeat(40), status: 'promoted' }),
      outcomeRow('2026-03-01 10:00:00.000', 'run-1', { status: 'unchanged' }),
    ];
    const fake = fakeLogs([
      { status: 'Running', results: complete.slice(0, 1) },
      { status: 'Complete', results: complete },
    ]);
    const io = captureIo();

    // Act
    const code = await runCli(
      ['runs', '--log-group', '/aws/lambda/cp-promote', '--region', 'eu-west-1', '--since', '2h', '--json'],
      io,
      fake.program,
    );

    // Assess
    expect(code, io.err()).toBe(0);
    expect(fake.region()).toBe('eu-west-1');
    const start = fake.sent[0];
    expect(start?.name).toBe('StartQueryCommand');
    expect(start?.input).toMatchObject({
      logGroupName: '/aws/lambda/cp-promote',
      startTime: NOW / 1000 - 2 * 3600,
      endTime: NOW / 1000,
    });
    // The console's saved query, verbatim, behind one more `fields` command for the detail columns
    // (and the whole line, for every refusal) and a filter that folds ignored objects BEFORE the
    // saved query's limit; then a stats query counts those ignored objects.
    const queryString = String(start?.input.queryString);
    expect(queryString.endsWith(`| ${RUN_QUERIES.runs.toString()}`)).toBe(true);
    expect(queryString.split('\n').slice(0, 2)).toEqual([
      'fields s3Bucket, code, reason, path, durationMs, command, @message',
      '| filter status != "ignored"',
    ]);
    expect(fake.sent.map((s) => s.name)).toEqual([
      'StartQueryCommand',
      'GetQueryResultsCommand',
      'GetQueryResultsCommand',
      'StartQueryCommand',
      'GetQueryResultsCommand',
    ]);
    expect(fake.sent[1]?.input).toEqual({ queryId: 'q-1' });
    expect(fake.sent[3]?.input).toMatchObject({
      queryString: 'filter ispresent(runId) and status = "ignored"\n| stats count(*) as objects by code',
      startTime: NOW / 1000 - 2 * 3600,
    });
    expect(fake.sleeps).toEqual([250]);
    const { runs } = JSON.parse(io.out()) as { runs: Record<string, unknown>[] };
    expect(runs.map((r) => [r.runId, r.status, r.at])).toEqual([
      ['run-1', 'unchanged', '2026-03-01T10:00:00.000Z'],
      ['run-2', 'promoted', '2026-03-01T11:40:00.000Z'],
      ['run-3', 'refused', '2026-03-01T11:50:00.000Z'],
    ]);
    expect(runs[1]).toEqual({
      at: '2026-03-01T11:40:00.000Z',
      runId: 'run-2',
      chart: 'web',
      version: '1.2.0',
      environment: 'dev',
      status: 'promoted',
      commit: 'c'.repeat(40),
      source: 's3://uploads/incoming/web-run-2.tgz',
      durationMs: 1234,
    });
    expect(runs[2]).toMatchObject({ code: 'UNSAFE_PATH', message: 'entry escapes the chart', path: '../x' });
  });

  it('prints a table, skips a malformed row and an environment-move line, and says so on stderr', async () => {
    // Prepare
    const fake = fakeLogs([
      {
        status: 'Complete',
        results: [
          outcomeRow('2026-03-01 11:00:00.000', 'run-2', { commit: 'abcdef0123456789' }),
          row({ '@timestamp': '2026-03-01 10:30:00.000', runId: 'run-x', status: 'promoted' }), // no s3Key
          outcomeRow('2026-03-01 10:20:00.000', 'run-y', { durationMs: 'soon' }),
          outcomeRow('2026-03-01 10:10:00.000', 'run-z', { status: 'exploded' }),
          row({
            '@timestamp': '2026-03-01 10:05:00.000',
            runId: 'run-m',
            status: 'committed',
            command: 'promote',
          }),
          outcomeRow('2026-03-01 10:00:00.000', 'run-1', { status: 'refused', code: 'CHART_YAML_MISSING' }),
        ],
      },
    ]);
    const io = captureIo();

    // Act
    const code = await runCli(['runs', '--log-group', 'cp-logs'], io, fake.program);

    // Assess
    expect(code, io.err()).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/CHART\s+VERSION\s+ENVIRONMENT\s+STATUS\s+COMMIT\s+DETAIL/);
    expect(lines[1]).toMatch(/web\s+1\.2\.0\s+dev\s+refused\s+-\s+CHART_YAML_MISSING/);
    expect(lines[2]).toMatch(/web\s+1\.2\.0\s+dev\s+promoted\s+abcdef012345$/);
    expect(io.err()).toContain('skipped 3 result row(s)');
    expect(io.err()).toContain('1 environment-move line(s)');
    // Default window: the last 24 hours.
    expect(fake.sent[0]?.input).toMatchObject({ startTime: NOW / 1000 - 86_400, endTime: NOW / 1000 });
  });

  it('reads every refusal from the whole line, filters --chart/--status in the query (before its limit), no stats query', async () => {
    // Prepare: the outcome line as the promote function logs it (record-outcome.ts), as @message.
    const refusals = [
      { code: 'CHART_DEPENDENCY_MISSING', message: 'dependency "redis" is not vendored', path: 'Chart.yaml' },
      { code: 'VALUES_INVALID', message: 'values.yaml is not a map' },
    ];
    const line = { level: 'WARN', message: 'refused incoming/web-1.2.0.tgz', runId: 'run-9', refusals };
    const fake = fakeLogs([
      {
        status: 'Complete',
        results: [
          outcomeRow('2026-03-01 11:50:00.000', 'run-9', {
            status: 'refused',
            code: 'CHART_DEPENDENCY_MISSING',
            reason: 'dependency "redis" is not vendored',
            path: 'Chart.yaml',
            '@message': JSON.stringify(line),
          }),
        ],
      },
    ]);
    const [json, text] = [captureIo(), captureIo()];

    // Act
    const code = await runCli(
      ['runs', '--log-group', 'g', '--chart', 'web', '--status', 'refused,superseded', '--json'],
      json,
      fake.program,
    );
    await runCli(['runs', '--log-group', 'g', '--chart', 'web', '--status', 'refused'], text, fake.program);

    // Assess
    expect(code, json.err()).toBe(0);
    const queryString = String(fake.sent[0]?.input.queryString);
    expect(queryString.split('\n')[1]).toBe(
      '| filter (chart in ["web"] or (isempty(chart) and (s3Key like "web-"))) and status in ["refused", "superseded"]',
    );
    // --status decides what is listed: nothing ignored to count, so no second query.
    expect(fake.sent.filter((s) => s.name === 'StartQueryCommand')).toHaveLength(2); // one per command run
    const { runs } = JSON.parse(json.out()) as { runs: Record<string, unknown>[] };
    expect(runs[0]).toMatchObject({ chart: 'web', version: '1.2.0', status: 'refused', refusals });
    expect(text.out()).toContain('CHART_DEPENDENCY_MISSING (Chart.yaml): dependency "redis" is not vendored');
    expect(text.out()).toContain('VALUES_INVALID: values.yaml is not a map');
  });

  it('counts the ignored objects with a stats query and prints them on one line; --all lists them instead', async () => {
    // Prepare
    const rows = [outcomeRow('2026-03-01 11:00:00.000', 'run-1')];
    const stats: Answer = {
      status: 'Complete',
      results: [
        row({ code: 'NOT_A_CHART_ARCHIVE', objects: '249' }),
        row({ code: 'VENDORED_DEPENDENCY', objects: '2' }),
      ],
    };
    const folded = fakeLogs([{ status: 'Complete', results: rows }], undefined, stats);
    const listed = fakeLogs([{ status: 'Complete', results: rows }], undefined, stats);
    const [text, json, all] = [captureIo(), captureIo(), captureIo()];

    // Act
    await runCli(['runs', '--log-group', 'g'], text, folded.program);
    await runCli(['runs', '--log-group', 'g', '--json'], json, folded.program);
    await runCli(['runs', '--log-group', 'g', '--all', '--json'], all, listed.program);

    // Assess
    expect(text.out().trimEnd().split('\n').at(-1)).toBe(
      '  251 ignored objects not listed (NOT_A_CHART_ARCHIVE 249, VENDORED_DEPENDENCY 2): --all lists them',
    );
    expect(JSON.parse(json.out())).toMatchObject({
      ignored: { count: 251, byCode: { NOT_A_CHART_ARCHIVE: 249, VENDORED_DEPENDENCY: 2 } },
    });
    // --all: the saved query as it is (no filter), and no stats query.
    expect(listed.sent.filter((s) => s.name === 'StartQueryCommand')).toHaveLength(1);
    expect(String(listed.sent[0]?.input.queryString)).not.toContain('filter status');
    expect(JSON.parse(all.out())).toMatchObject({ ignored: { count: 0 } });
  });

  it('shows only the newest --limit runs, and says when there are none', async () => {
    // Prepare
    const rows = ['run-3', 'run-2', 'run-1'].map((id, i) => outcomeRow(`2026-03-01 11:0${3 - i}:00.000`, id));
    const some = fakeLogs([{ status: 'Complete', results: rows }]);
    const none = fakeLogs([{ status: 'Complete', results: [] }]);
    const [io, empty] = [captureIo(), captureIo()];

    // Act
    const code = await runCli(['runs', '--log-group', 'g', '--limit', '2', '--json'], io, some.program);
    const emptyCode = await runCli(['runs', '--log-group', 'g', '--since', '30m'], empty, none.program);

    // Assess
    expect(code).toBe(0);
    const { runs } = JSON.parse(io.out()) as { runs: { runId: string }[] };
    expect(runs.map((r) => r.runId)).toEqual(['run-2', 'run-3']);
    expect(emptyCode).toBe(0);
    expect(empty.out()).toBe('no runs in g in the last 30m\n');
  });

  it("warns when the query's own limit (200 lines) cut older runs off", async () => {
    // Prepare
    const rows = Array.from({ length: 200 }, (_, i) =>
      outcomeRow(new Date(NOW - i * 1000).toISOString(), `run-${i}`),
    );
    const fake = fakeLogs([{ status: 'Complete', results: rows }]);
    const io = captureIo();

    // Act
    const code = await runCli(['runs', '--log-group', 'g', '--limit', '500', '--json'], io, fake.program);

    // Assess
    expect(code).toBe(0);
    expect((JSON.parse(io.out()) as { runs: unknown[] }).runs).toHaveLength(200);
    expect(io.err()).toContain('the runs query stops at 200 lines');
  });

  it('gives up after the total timeout with a bounded backoff, stops the query and fails the run (exit 1)', async () => {
    // Prepare
    const fake = fakeLogs([{ status: 'Running' }]);
    const io = captureIo();

    // Act
    const code = await runCli(['runs', '--log-group', 'g', '--json'], io, fake.program);

    // Assess
    expect(code).toBe(1);
    expect(fake.sleeps.slice(0, 5)).toEqual([250, 500, 1000, 2000, 2000]);
    expect(Math.max(...fake.sleeps)).toBe(2000);
    expect(fake.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(60_000);
    expect(fake.sent.at(-1)).toEqual({ name: 'StopQueryCommand', input: { queryId: 'q-1' } });
    expect(JSON.parse(io.out())).toMatchObject({ ok: false, errors: [{ code: 'QUERY_TIMEOUT' }] });
    expect(io.err()).toMatch(/still Running after \d+s/);
  });

  it('fails the run (exit 1) when the query ends Failed', async () => {
    // Prepare
    const fake = fakeLogs([{ status: 'Scheduled' }, { status: 'Failed' }]);
    const io = captureIo();

    // Act
    const code = await runCli(['runs', '--log-group', 'g', '--json'], io, fake.program);

    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(io.out())).toMatchObject({ ok: false, errors: [{ code: 'QUERY_FAILED' }] });
    expect(io.err()).toContain('ended Failed');
  });

  it.each([
    [
      awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
      'AWS_CREDENTIALS',
      /no AWS credentials/,
    ],
    [
      awsError('AccessDeniedException', 'not authorized to perform: logs:StartQuery'),
      'AWS_ACCESS_DENIED',
      /access denied querying g: .*logs:StartQuery/,
    ],
    [
      awsError('ResourceNotFoundException', 'The specified log group does not exist.'),
      'LOG_GROUP_NOT_FOUND',
      /no log group g/,
    ],
  ])(
    'an AWS error before the query runs is an environment error (exit 2): %s',
    async (error, expected, message) => {
      // Prepare
      const fake = fakeLogs([], error);
      const io = captureIo();

      // Act
      const code = await runCli(['runs', '--log-group', 'g', '--json'], io, fake.program);

      // Assess
      expect(code).toBe(2);
      expect(JSON.parse(io.out())).toMatchObject({ ok: false, errors: [{ code: expected }] });
      expect(io.err()).toMatch(message);
    },
  );

  it.each([
    [['--log-group', 'g', '--since', 'yesterday'], /--since takes a positive duration/],
    [['--log-group', 'g', '--since', '0h'], /--since takes a positive duration/],
    [['--log-group', 'g', '--workdir', 'x'], /exclude each other/],
    [['--since', '2h'], /need --log-group/],
    [['--log-group', ''], /needs a log group name/],
  ])('refuses %j as a usage error (exit 2) without calling AWS', async (args, message) => {
    // Prepare
    const fake = fakeLogs([{ status: 'Complete', results: [] }]);
    const io = captureIo();

    // Act
    const code = await runCli(['runs', ...args], io, fake.program);

    // Assess
    expect(code).toBe(2);
    expect(io.err()).toMatch(message);
    expect(fake.sent).toEqual([]);
  });
});
