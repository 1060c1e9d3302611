import type { LogsQueryClient } from '../command';
import { type PollOptions, runInsightsQuery } from './logs-insights';
import { type RunRows, runsFromRows } from './run-rows';
import { runsQuery } from './runs-query';

export interface DeployedRunsRequest {
  readonly logGroupName: string;
  /** How far back to look, milliseconds before now. */
  readonly sinceMs: number;
}

/**
 * The recent runs of a deployed pipeline: the stack's "runs" Logs Insights query over the promote
 * function's log group (the stack's LogGroupName output), as runs in the run log's shape.
 */
export const queryDeployedRuns = async (
  client: LogsQueryClient,
  request: DeployedRunsRequest,
  poll: PollOptions = {},
): Promise<RunRows & { readonly queryLimit: number }> => {
  const { queryString, limit } = await runsQuery();
  const endMs = (poll.now ?? Date.now)();
  const rows = await runInsightsQuery(
    client,
    { logGroupName: request.logGroupName, queryString, startMs: endMs - request.sinceMs, endMs },
    poll,
  );
  return { ...runsFromRows(rows), queryLimit: limit };
};
