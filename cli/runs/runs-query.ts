/**
 * The fields of the promote function's outcome lines (functions/pipeline/record-outcome.ts) that the
 * console's saved "runs" query does not show but the command line prints (source bucket, refusal code
 * and reason, duration), and `command`, which marks an environment move's line (run-promotion-command).
 */
const DETAIL_FIELDS = ['s3Bucket', 'code', 'reason', 'path', 'durationMs', 'command'];

export interface RunsQuery {
  readonly queryString: string;
  /** The query's own `limit`: no more rows than this ever come back. */
  readonly limit: number;
}

/**
 * The Logs Insights query `runs` sends: the stack's saved "runs" query (infra/monitoring/run-queries.ts)
 * verbatim, so the command line and the console select the same lines in the same order, after one
 * more `fields` command. Several `fields` commands without `display` show the union of their fields:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Fields.html
 */
export const runsQuery = async (): Promise<RunsQuery> => {
  // Loaded on first use (it pulls in aws-cdk-lib): local mode and --help never pay for it.
  const { RUN_QUERIES } = await import('../../infra/monitoring/run-queries');
  const saved = RUN_QUERIES.runs.toString();
  const limit = Number(/\|\s*limit\s+(\d+)\s*$/.exec(saved)?.[1] ?? '10000');
  return { queryString: `fields ${DETAIL_FIELDS.join(', ')}\n| ${saved}`, limit };
};
