import { commandRecord } from '../functions/local/promotion-record';
import type { CommandOutcome } from '../functions/pipeline/run-promotion-command';
import { EXIT, type ExitCode } from './command';
import { promotionJson } from './run-table';

/**
 * How `promote` and `rollback` end: 0 when the environment runs (or is proposed to run) the version
 * (committed, pull request, branch pushed, already there), 1 when nothing moved (refused with a code,
 * skipped because the source moved on, a transient failure), as every command's exit codes.
 */
export const exitCodeFor = (outcome: CommandOutcome): ExitCode =>
  ['committed', 'pull-request', 'branch-pushed', 'unchanged', 'deferred'].includes(outcome.status)
    ? EXIT.ok
    : EXIT.failed;

/** `{ok, status, chart, version, environment, commit, branch?, url?, code?, message?, runId, ...}` */
export const outcomeJson = (outcome: CommandOutcome, where: string) => {
  const {
    kind: _kind,
    trigger: _trigger,
    ...fields
  } = promotionJson(commandRecord(outcome, 'manual', new Date()));
  return { ok: exitCodeFor(outcome) === EXIT.ok, ...fields, where };
};

const short = (sha: string | undefined): string => (sha ? sha.slice(0, 12) : '');

/** One or two lines for people. */
export const outcomeText = (outcome: CommandOutcome, where: string): string => {
  const r = commandRecord(outcome, 'manual', new Date());
  const what =
    r.command === 'promote'
      ? `${r.chart} ${r.version ?? ''} → ${r.environment}`
      : `rollback of ${r.chart} in ${r.environment}${r.version ? ` to ${r.version}` : ''}`;
  const from = 'fromVersion' in outcome && outcome.fromVersion ? ` (was ${outcome.fromVersion})` : '';
  switch (r.status) {
    case 'committed':
      return `committed ${what}${from}: ${r.commit}\n  in ${where}\n`;
    case 'pull-request':
      return `pull request for ${what}${from}: ${r.url} (branch ${r.branch}, commit ${short(r.commit)})\n`;
    case 'branch-pushed':
      return `${r.environment} takes changes by pull request; this git host has none, so the branch was pushed: ${r.branch} (commit ${short(r.commit)})\n  merge it (or open a pull request from it) to deploy ${what}\n`;
    case 'unchanged':
      return `unchanged: ${r.message ?? `${r.environment} already runs ${r.chart} ${r.version}`}\n`;
    case 'skipped':
      return `skipped ${what}: ${r.message}\n`;
    case 'refused':
      return `refused ${what}: ${r.code}: ${r.message}\n`;
    default:
      return `${r.status} ${what}${r.code ? `: ${r.code}` : ''}${r.message ? `: ${r.message}` : ''}\n`;
  }
};
