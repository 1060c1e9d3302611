import type { UploadOutcome } from '../functions/pipeline/upload-outcome';

const short = (sha: string | undefined): string => (sha ? sha.slice(0, 12) : '-');

/** What a run looks like in `--json` output (contract: `runs:[{chart, version, environment, status, commit}]`). */
export const runJson = (outcome: UploadOutcome & { readonly at?: string }) => ({
  ...(outcome.at ? { at: outcome.at } : {}),
  runId: outcome.runId,
  chart: outcome.chart ?? null,
  version: outcome.version ?? null,
  environment: outcome.environment ?? null,
  status: outcome.status,
  commit: outcome.commit ?? null,
  ...(outcome.code ? { code: outcome.code } : {}),
  ...(outcome.message ? { message: outcome.message } : {}),
  ...(outcome.path ? { path: outcome.path } : {}),
  source: `s3://${outcome.bucket}/${outcome.key}`,
  durationMs: outcome.durationMs,
});

/** A fixed-width table of runs, one line each, for people. */
export const runTable = (outcomes: readonly (UploadOutcome & { readonly at?: string })[]): string => {
  const header = ['CHART', 'VERSION', 'ENVIRONMENT', 'STATUS', 'COMMIT', 'DETAIL'];
  const rows = outcomes.map((o) => [
    o.chart ?? o.key,
    o.version ?? '-',
    o.environment ?? '-',
    o.status,
    short(o.commit),
    o.code ? `${o.code}${o.message ? `: ${o.message.split('\n')[0]}` : ''}` : (o.message ?? ''),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] ?? '').length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `  ${line}`)
    .join('\n');
};

/** One line per run, for the long-running `local` command. */
export const runLine = (o: UploadOutcome): string =>
  `${new Date().toISOString()}  ${o.status.padEnd(10)} ${o.chart ?? o.key} ${o.version ?? ''} ${
    o.environment ? `→ ${o.environment}` : ''
  } ${o.commit ? `commit ${short(o.commit)}` : ''}${o.code ? ` ${o.code}: ${o.message ?? ''}` : ''}`
    .replace(/\s+/g, ' ')
    .trim();
