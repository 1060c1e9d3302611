import { resolve } from 'node:path';
import { isPromoterError } from '../functions/errors';
import { runLocalPromotion } from '../functions/local/local-promotion';
import type { CommandOutcome } from '../functions/pipeline/run-promotion-command';
import { parsePromotionCommand } from '../functions/ports/promotion-command';
import { type CliDependencies, CliError, type CliIo, type ExitCode } from './command';
import { DEFAULT_LOCAL_WORKDIR } from './commands/runs';
import { invokePromoteFunction } from './lambda-promote';
import { exitCodeFor, outcomeJson, outcomeText } from './promotion-output';

/** Where a manual move runs: the deployed promote function (`--function`), or a local work dir. */
export interface PromotionTarget {
  readonly workdir?: string;
  readonly functionName?: string;
  readonly region?: string;
  readonly json: boolean;
}

/** The options `promote` and `rollback` share (node:util parseArgs specs). */
export const TARGET_OPTIONS = {
  workdir: { type: 'string' },
  function: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const TARGET_HELP: readonly (readonly [string, string])[] = [
  [
    '--workdir DIR',
    `local mode: the embedded runtime's work dir, whose cluster.git is changed (default: ${DEFAULT_LOCAL_WORKDIR})`,
  ],
  [
    '--function NAME',
    'AWS mode: invoke the deployed promote function (name or ARN) with the command; credentials and region from the AWS SDK chain',
  ],
  ['--region REGION', "AWS mode: the function's region (default: the SDK's, e.g. AWS_REGION)"],
  [
    '--json',
    'print one JSON document: {ok, status, chart, version, environment, commit, branch?, url?, code?, message?, runId, where}',
  ],
  ['-h, --help', 'show this help'],
];

const toCommand = (wire: Record<string, unknown>) => {
  try {
    return parsePromotionCommand(wire);
  } catch (error) {
    throw new CliError('USAGE', error instanceof Error ? error.message : String(error));
  }
};

const runLocally = async (wire: ReturnType<typeof toCommand>, workdir: string): Promise<CommandOutcome> => {
  try {
    return await runLocalPromotion(wire, { workdir });
  } catch (error) {
    // No cluster repository there: the environment is not set up (exit 2), nothing was refused.
    if (isPromoterError(error) && error.code === 'CLUSTER_REPOSITORY_MISSING')
      throw new CliError(error.code, error.message);
    throw error;
  }
};

/** Validates the command, runs it where asked, prints the outcome; the exit code says how it ended. */
export const runPromotion = async (
  deps: Pick<CliDependencies, 'lambda'>,
  io: CliIo,
  wire: Record<string, unknown>,
  target: PromotionTarget,
): Promise<ExitCode> => {
  const command = toCommand(wire);
  if (target.functionName !== undefined && target.workdir !== undefined)
    throw new CliError('USAGE', '--function (AWS) and --workdir (local) exclude each other');
  if (target.region !== undefined && target.functionName === undefined)
    throw new CliError('USAGE', '--region needs --function');
  let outcome: CommandOutcome;
  let where: string;
  if (target.functionName !== undefined) {
    outcome = await invokePromoteFunction(await deps.lambda(target.region), target.functionName, command);
    where = `function ${target.functionName}`;
  } else {
    const workdir = resolve(target.workdir ?? DEFAULT_LOCAL_WORKDIR);
    outcome = await runLocally(command, workdir);
    where = `${workdir}/cluster.git`;
  }
  io.stdout.write(
    target.json ? `${JSON.stringify(outcomeJson(outcome, where))}\n` : outcomeText(outcome, where),
  );
  return exitCodeFor(outcome);
};
