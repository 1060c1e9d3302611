import { formatAge, formatDuration } from '../../functions/board/board-format';
import type { ReleaseRecord } from '../../functions/ports/release-ledger';
import { table } from '../format';

/** What a release's pull request (or pushed branch) is, in one cell. */
const proposal = (record: ReleaseRecord): string =>
  record.pullRequest !== undefined
    ? `#${record.pullRequest.number} ${record.pullRequest.url}`
    : record.branch !== undefined
      ? `branch ${record.branch}`
      : '';

/** The state, with why (failure reason, late convergence) where there is one. */
const stateText = (record: ReleaseRecord): string => {
  if (record.state === 'converged' && record.late) return 'converged (late)';
  if ((record.state === 'failed' || record.state === 'rolled-back') && record.reason)
    return `${record.state} (${record.reason})`;
  if (record.state === 'rolled-back' && record.previousVersion)
    return `rolled-back (from ${record.previousVersion})`;
  return record.state;
};

/**
 * The chart × environment matrix as a table, one line per chart and environment, charts by name and
 * environments in pipeline order: version, state, since (relative to `now`), lead time, proposal.
 */
export const statusTable = (
  releases: readonly ReleaseRecord[],
  environments: readonly string[],
  now: string,
): string => {
  const order = new Map(environments.map((name, i) => [name, i]));
  const sorted = [...releases].sort(
    (a, b) =>
      a.chart.localeCompare(b.chart) ||
      (order.get(a.environment) ?? Number.MAX_SAFE_INTEGER) -
        (order.get(b.environment) ?? Number.MAX_SAFE_INTEGER),
  );
  return table(
    ['CHART', 'ENVIRONMENT', 'VERSION', 'STATE', 'SINCE', 'LEAD TIME', 'PULL REQUEST'],
    sorted.map((r) => [
      r.chart,
      r.environment,
      r.version,
      stateText(r),
      formatAge(r.since, now),
      r.leadTimeMs === undefined ? '-' : formatDuration(r.leadTimeMs),
      proposal(r),
    ]),
  );
};
