import type { LogsQueryClient } from '../command';
import { type PollOptions, runInsightsQuery } from './logs-insights';
import { foldsIgnored, type IgnoredSummary, noIgnored, type RunFilter } from './run-filter';
import { type RunRows, runsFromRows } from './run-rows';
import { ignoredQuery, runsQuery } from './runs-query';

export interface DeployedRunsRequest {
  readonly logGroupName: string;
  /** How far back to look, milliseconds before now. */
  readonly sinceMs: number;
  readonly filter?: RunFilter;
}

export type DeployedRuns = RunRows & {
  readonly queryLimit: number;
  /** Ignored objects in the window, counted by a second query when they are folded. */
  readonly ignored: IgnoredSummary;
};

/**
 * The recent runs of a deployed pipeline: the stack's "runs" Logs Insights query over the promote
 * function's log group (the stack's LogGroupName output), as runs in the run log's shape; plus, when
 * ignored objects are folded, one `stats` query counting them.
 */
export const queryDeployedRuns = async (
  client: LogsQueryClient,
  request: DeployedRunsRequest,
  poll: PollOptions = {},
): Promise<DeployedRuns> => {
  const filter = request.filter ?? { all: true };
  const { queryString, limit } = await runsQuery(filter);
  const endMs = (poll.now ?? Date.now)();
  const window = { logGroupName: request.logGroupName, startMs: endMs - request.sinceMs, endMs };
  const rows = await runInsightsQuery(client, { ...window, queryString }, poll);
  const ignored =
    foldsIgnored(filter) && filter.statuses === undefined
      ? countIgnored(await runInsightsQuery(client, { ...window, queryString: ignoredQuery(filter) }, poll))
      : noIgnored;
  return { ...runsFromRows(rows), queryLimit: limit, ignored };
};

const countIgnored = (rows: Awaited<ReturnType<typeof runInsightsQuery>>): IgnoredSummary => {
  const byCode: Record<string, number> = {};
  let count = 0;
  for (const row of rows) {
    const n = Number(row.find((cell) => cell.field === 'objects')?.value ?? 0);
    if (!Number.isFinite(n) || n <= 0) continue;
    const code = row.find((cell) => cell.field === 'code')?.value || 'UNKNOWN';
    byCode[code] = (byCode[code] ?? 0) + n;
    count += n;
  }
  return { count, byCode };
};
