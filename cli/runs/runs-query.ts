import { foldsIgnored, type RunFilter } from './run-filter';

/**
 * The fields of the promote function's outcome lines (functions/pipeline/record-outcome.ts) that the
 * console's saved "runs" query does not show but the command line prints (source bucket, refusal code
 * and reason, duration), `command`, which marks an environment move's line (run-promotion-command),
 * and `@message`, the whole line, for the `refusals` list an archive refused for several reasons
 * carries (a JSON array: read from the line itself rather than from flattened field names).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html
 */
const DETAIL_FIELDS = ['s3Bucket', 'code', 'reason', 'path', 'durationMs', 'command', '@message'];

export interface RunsQuery {
  readonly queryString: string;
  /** The query's own `limit`: no more rows than this ever come back. */
  readonly limit: number;
}

const quoted = (values: readonly string[]): string => values.map((v) => JSON.stringify(v)).join(', ');

/**
 * The `filter` for `--chart`/`--status` and the folding of ignored objects, placed BEFORE the saved
 * query's `limit` so it narrows the lines the limit counts (249 ignored files of a recursive upload
 * no longer push the real outcomes out). Chart names and statuses are validated before they get here
 * (run-filter.ts). An object refused before its Chart.yaml was read has no `chart`: its key is matched
 * (`<chart>-` in the file name); run-filter.ts applies the exact rule again to what comes back.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Filter.html
 */
const filterCommand = (filter: RunFilter): string | undefined => {
  const conditions: string[] = [];
  if (filter.charts) {
    conditions.push(
      `(chart in [${quoted(filter.charts)}] or (isempty(chart) and (${filter.charts
        .map((chart) => `s3Key like ${JSON.stringify(`${chart}-`)}`)
        .join(' or ')})))`,
    );
  }
  if (filter.statuses) conditions.push(`status in [${quoted(filter.statuses)}]`);
  else if (foldsIgnored(filter)) conditions.push('status != "ignored"');
  return conditions.length === 0 ? undefined : `filter ${conditions.join(' and ')}`;
};

/**
 * The Logs Insights query `runs` sends: the stack's saved "runs" query (infra/monitoring/run-queries.ts)
 * verbatim, so the command line and the console select the same lines in the same order, after one
 * more `fields` command and the filter above. Several `fields` commands without `display` show the
 * union of their fields: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Fields.html
 */
export const runsQuery = async (filter: RunFilter): Promise<RunsQuery> => {
  // Loaded on first use (it pulls in aws-cdk-lib): local mode and --help never pay for it.
  const { RUN_QUERIES } = await import('../../infra/monitoring/run-queries');
  const saved = RUN_QUERIES.runs.toString();
  const limit = Number(/\|\s*limit\s+(\d+)\s*$/.exec(saved)?.[1] ?? '10000');
  const narrowed = filterCommand(filter);
  return {
    queryString: [`fields ${DETAIL_FIELDS.join(', ')}`, ...(narrowed ? [narrowed] : []), saved].join('\n| '),
    limit,
  };
};

/** How many objects were ignored, by code, for the summary line (same window and chart filter). */
export const ignoredQuery = (filter: RunFilter): string => {
  const charts = filterCommand({ ...(filter.charts ? { charts: filter.charts } : {}), all: true });
  return [
    'filter ispresent(runId) and status = "ignored"',
    ...(charts ? [charts] : []),
    'stats count(*) as objects by code',
  ].join('\n| ');
};
