import type { RecentRunsReader } from '../ports/recent-runs';
import type { RunSummary } from '../ports/release-ledger';
import type { PromotionRecord } from './promotion-record';
import { isPromotionRecord, type RunRecord, readRunLog } from './run-log';

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined || value === '' ? {} : { [key]: value }) as Partial<Record<K, string>>;

/** An environment move's detail line: its message, else when it is due or where it waits. */
const moveMessage = (record: PromotionRecord): string | undefined =>
  record.message ??
  (record.notBefore !== undefined
    ? `not before ${record.notBefore}`
    : record.branch !== undefined
      ? `branch ${record.branch}`
      : undefined);

/** A line of the local run log as the board lists it. */
export const runSummaryOf = (record: RunRecord | PromotionRecord): RunSummary =>
  isPromotionRecord(record)
    ? {
        at: record.at,
        kind: 'move',
        chart: record.chart,
        ...optional('version', record.version),
        environment: record.environment,
        status: record.status,
        ...(record.code === undefined ? {} : { codes: [record.code] }),
        ...optional('message', moveMessage(record)),
        ...optional('commit', record.commit),
      }
    : {
        at: record.at,
        kind: 'upload',
        ...optional('chart', record.chart),
        ...optional('version', record.version),
        ...optional('environment', record.environment),
        status: record.status,
        ...(record.code === undefined ? {} : { codes: [record.code] }),
        ...optional('message', record.message),
        ...optional('commit', record.commit),
        source: `s3://${record.bucket}/${record.key}`,
      };

/** The local pipeline's latest runs: the run log (`runs.jsonl`), newest first. */
export const runLogRuns = (path: string): RecentRunsReader => ({
  latest: async (limit) => (await readRunLog(path)).slice(-limit).reverse().map(runSummaryOf),
});
