import { parseArgs } from 'node:util';
import type {
  GetQueryResultsCommand,
  GetQueryResultsCommandOutput,
  StartQueryCommand,
  StartQueryCommandOutput,
  StopQueryCommand,
  StopQueryCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { InvokeCommand, InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type { ChartRenderer } from '../functions/ports/chart-renderer';
import type { ReleaseRenderer } from '../functions/ports/release-renderer';

/** Exit codes (contract, README "The `chart-promoter` command"). */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** The input was refused, or the run failed. */
  failed: 1,
  /** Usage or environment error: unknown option, missing or unreadable file, a tool unavailable. */
  usage: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Where a command writes: the process streams in `bin/`, plain string collectors in tests. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  /**
   * `isTTY`: stderr is a terminal (Node's `process.stderr.isTTY`), so progress may redraw one line;
   * otherwise (a pipe, a CI log) progress is plain lines or nothing.
   */
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

/** The slice of the Lambda client `promote`/`rollback --function` use (tests pass a fake `send`). */
export interface LambdaInvoker {
  send(command: InvokeCommand): Promise<InvokeCommandOutput>;
}

/** The slice of the CloudWatch Logs client `runs --log-group` uses (tests pass a fake `send`). */
export interface LogsQueryClient {
  send(
    command: StartQueryCommand | GetQueryResultsCommand | StopQueryCommand,
  ): Promise<StartQueryCommandOutput | GetQueryResultsCommandOutput | StopQueryCommandOutput>;
}

/** What commands need from the outside world, built once by `cli/composition.ts`. */
export interface CliDependencies {
  readonly version: string;
  /** Created on first use, so `--help` never pays for unpacking helm. */
  readonly renderer: () => Promise<ChartRenderer>;
  /** helm template of a chart in the cluster repository with a release's values (values changes). */
  readonly releaseRenderer: () => Promise<ReleaseRenderer>;
  /** The helm binary (for `helm package`), unpacked on first use. */
  readonly helmPath: () => Promise<string>;
  /** The sample charts shipped with chart-promoter (the demo uploads them). */
  readonly sampleChartsDir: string;
  /** The intake bucket `push` uploads to when no `--bucket` is given ($CHART_PROMOTER_BUCKET). */
  readonly defaultBucket?: string;
  /**
   * A Lambda client (`promote`/`rollback --function`), created on first use with the AWS SDK's own
   * configuration chain (AWS_REGION / AWS_PROFILE / ~/.aws); `region` overrides the region.
   */
  readonly lambda: (region?: string) => Promise<LambdaInvoker>;
  /**
   * A CloudWatch Logs client (`runs --log-group`), created on first use with the AWS SDK's own
   * configuration chain; `region` overrides the region.
   */
  readonly logs: (region?: string) => Promise<LogsQueryClient>;
  /**
   * A DynamoDB client (`status --table`), created on first use with the AWS SDK's own configuration
   * chain; `region` overrides the region.
   */
  readonly dynamodb: (region?: string) => Promise<DynamoDBClient>;
}

/**
 * One subcommand, as its module builds it. `help` is the full text printed by
 * `chart-promoter <name> --help` (usage, options, examples, exit codes); the dispatcher handles
 * `--help` for every command, so `run` never sees it.
 */
export interface Command {
  readonly help: string;
  run(args: readonly string[], io: CliIo): Promise<ExitCode>;
}

/**
 * A subcommand as the program lists it: its name and one-line summary, and its module loaded only
 * when it is the command that runs (or whose help is asked for). A start of `chart-promoter` loads
 * one command's modules, not every command's (the local runtime, the AWS SDK, openpgp, …): `--help`
 * and the light commands start in a fraction of the time.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

/** A command already built, listed under `name`: a program of one command (tests, benchmarks). */
export const listedCommand = (name: string, command: Command, summary = ''): CommandEntry => ({
  name,
  summary,
  load: async () => command,
});

/**
 * A failure that ends a command with a code rather than a stack trace: usage errors (exit 2) and
 * environment errors such as a missing file (exit 2). `code` is what `--json` reports.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: ExitCode;
  readonly code: string;

  constructor(code: string, message: string, exitCode: ExitCode = EXIT.usage) {
    super(message);
    this.code = code;
    this.exitCode = exitCode;
  }
}

type OptionSpec = Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }>;

/** node:util parseArgs in strict mode, with its errors turned into usage errors (exit 2). */
export const parseCommandArgs = <T extends OptionSpec>(
  args: readonly string[],
  options: T,
  positionals: { min: number; max: number; names: string },
) => {
  let parsed: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError('USAGE', error instanceof Error ? error.message : String(error));
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new CliError('USAGE', `missing argument: ${positionals.names}`);
  if (count > positionals.max) {
    throw new CliError('USAGE', `unexpected argument: ${parsed.positionals[positionals.max]}`);
  }
  return parsed;
};
