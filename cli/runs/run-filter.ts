import { chartNameProblem } from '../../functions/chart/chart-metadata';
import { UPLOAD_STATUSES } from '../../functions/pipeline/upload-outcome';
import { CliError } from '../command';
import type { AnyRun } from '../run-table';

/** What `runs` shows: `--chart`, `--status`, and whether ignored objects are listed (`--all`). */
export interface RunFilter {
  readonly charts?: readonly string[];
  readonly statuses?: readonly string[];
  /** List ignored objects one by one (otherwise they are counted on one summary line). */
  readonly all: boolean;
}

/** Statuses of environment moves in the local run log (functions/local/promotion-record.ts). */
const MOVE_STATUSES = [
  'committed',
  'pull-request',
  'branch-pushed',
  'skipped',
  'scheduled',
  'deferred',
  'not-converged',
];
export const RUN_STATUSES: readonly string[] = [...UPLOAD_STATUSES, ...MOVE_STATUSES];

const list = (value: string | undefined): string[] | undefined =>
  value
    ?.split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** `--chart a,b --status refused,retry --all` as a filter; a bad value is a usage error. */
export const parseRunFilter = (values: {
  readonly chart?: string | undefined;
  readonly status?: string | undefined;
  readonly all?: boolean | undefined;
}): RunFilter => {
  const charts = list(values.chart);
  const statuses = list(values.status);
  // Only valid chart names (which also keeps them safe inside a Logs Insights query string).
  const badChart = charts?.find((chart) => chartNameProblem(chart) !== undefined);
  if (charts?.length === 0 || badChart !== undefined)
    throw new CliError('USAGE', `--chart takes chart names (a,b), got ${JSON.stringify(values.chart)}`);
  const badStatus = statuses?.find((status) => !RUN_STATUSES.includes(status));
  if (statuses?.length === 0 || badStatus !== undefined)
    throw new CliError(
      'USAGE',
      `--status takes one or more of ${RUN_STATUSES.join(', ')} (comma-separated), got ${JSON.stringify(values.status)}`,
    );
  return {
    ...(charts ? { charts } : {}),
    ...(statuses ? { statuses } : {}),
    all: values.all === true,
  };
};

/** Ignored objects are folded unless `--all`, or `--status` names `ignored` itself. */
export const foldsIgnored = (filter: RunFilter): boolean =>
  !filter.all && !(filter.statuses ?? []).includes('ignored');

const basename = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/**
 * A run is about a chart when it names it, or — refused before its Chart.yaml could be read, or
 * ignored — when its object's file name starts with `<chart>-` (as `helm package` names archives).
 */
export const isAboutChart = (run: AnyRun, chart: string): boolean => {
  if (run.chart !== undefined) return run.chart === chart;
  return 'key' in run && basename(run.key).startsWith(`${chart}-`);
};

export interface IgnoredSummary {
  readonly count: number;
  /** How many of each ignore code (NOT_A_CHART_ARCHIVE, VENDORED_DEPENDENCY, …). */
  readonly byCode: Readonly<Record<string, number>>;
}

export interface FilteredRuns {
  readonly runs: AnyRun[];
  /** The ignored objects left out (zero when listed, or when the filter excludes them anyway). */
  readonly ignored: IgnoredSummary;
}

export const noIgnored: IgnoredSummary = { count: 0, byCode: {} };

/** Applies the filter, oldest first as given; ignored objects are counted instead of listed. */
export const filterRuns = (runs: readonly AnyRun[], filter: RunFilter): FilteredRuns => {
  const fold = foldsIgnored(filter);
  const byCode: Record<string, number> = {};
  let count = 0;
  const kept = runs.filter((run) => {
    if (filter.charts && !filter.charts.some((chart) => isAboutChart(run, chart))) return false;
    if (fold && run.status === 'ignored') {
      count += 1;
      const code = run.code ?? 'UNKNOWN';
      byCode[code] = (byCode[code] ?? 0) + 1;
      return false;
    }
    return filter.statuses === undefined || filter.statuses.includes(run.status);
  });
  // With --status, ignored objects are left out by the status itself: nothing to summarise.
  return { runs: kept, ignored: filter.statuses ? noIgnored : { count, byCode } };
};

/** `249 ignored objects not listed (NOT_A_CHART_ARCHIVE 249): --all lists them` */
export const ignoredLine = (ignored: IgnoredSummary): string => {
  const codes = Object.entries(ignored.byCode)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const what = ignored.count === 1 ? '1 ignored object' : `${ignored.count} ignored objects`;
  return `${what} not listed (${codes}): --all lists them`;
};
