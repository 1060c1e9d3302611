import type { PromotionBoardView, ReleaseRecord } from '../ports/release-ledger';
import {
  escapeHtml,
  formatAge,
  formatDuration,
  formatUtc,
  idFor,
  safeHref,
  shortCommit,
} from './board-format';
import { lookOfState, STATE_ORDER } from './board-states';

/** The view as rows: environments in policy order, charts by name, one record (or none) per cell. */
export interface BoardMatrix {
  readonly environments: readonly string[];
  readonly charts: readonly string[];
  readonly cells: ReadonlyMap<string, ReleaseRecord>;
}

const cellKey = (chart: string, environment: string): string => JSON.stringify([chart, environment]);

/**
 * Environments as the policy orders them, then any the records name that the policy does not (an
 * environment removed from the policy still has releases), by name. Of two records for one cell the
 * higher revision wins.
 */
export const boardMatrix = (view: PromotionBoardView): BoardMatrix => {
  const listed = new Set(view.environments);
  const extra = [...new Set(view.releases.map((r) => r.environment))].filter((e) => !listed.has(e)).sort();
  const cells = new Map<string, ReleaseRecord>();
  for (const record of view.releases) {
    const key = cellKey(record.chart, record.environment);
    const held = cells.get(key);
    if (held === undefined || record.revision > held.revision) cells.set(key, record);
  }
  const charts = [...new Set(view.releases.map((r) => r.chart))].sort((a, b) => a.localeCompare(b));
  return { environments: [...view.environments, ...extra], charts, cells };
};

export const cellOf = (matrix: BoardMatrix, chart: string, environment: string): ReleaseRecord | undefined =>
  matrix.cells.get(cellKey(chart, environment));

/** A state as the board writes it everywhere: glyph (decorative) and word, in its tone's colours. */
export const stateBadge = (state: string, count?: number): string => {
  const look = lookOfState(state);
  const word = escapeHtml(state);
  return (
    `<span class="cpb-badge cpb-t-${look.tone}" data-state="${word}">` +
    `<span class="cpb-glyph" aria-hidden="true">${look.glyph}</span> ` +
    `${count === undefined ? '' : `${count} `}<span class="cpb-word">${word}</span></span>`
  );
};

/** The summary line, which doubles as the legend: every known state with its count, then unknown ones. */
export const stateSummary = (matrix: BoardMatrix): string => {
  const counts = new Map<string, number>();
  for (const record of matrix.cells.values()) counts.set(record.state, (counts.get(record.state) ?? 0) + 1);
  const unknown = [...counts.keys()].filter((s) => !(STATE_ORDER as readonly string[]).includes(s)).sort();
  const items = [...STATE_ORDER, ...unknown].map((s) => `<li>${stateBadge(s, counts.get(s) ?? 0)}</li>`);
  return `<ul class="cpb-summary" aria-label="Releases by state">${items.join('')}</ul>`;
};

/** Exact times are in the cell's tooltip: the tag carries the machine-readable one only (size). */
const timeTag = (iso: string, now: string): string =>
  `<time datetime="${escapeHtml(iso)}">${escapeHtml(formatAge(iso, now))}</time>`;

/** The second line of a cell: since when, then what matters for the state (lead time, deadline, reason, PR). */
const cellDetail = (record: ReleaseRecord, now: string): string => {
  const parts = [timeTag(record.since, now)];
  if (record.leadTimeMs !== undefined) parts.push(`lead ${escapeHtml(formatDuration(record.leadTimeMs))}`);
  if (record.late) parts.push('late');
  if (record.state === 'committed' && record.deadline !== undefined)
    parts.push(`due ${timeTag(record.deadline, now)}`);
  if (record.reason !== undefined && record.state !== 'converged') parts.push(escapeHtml(record.reason));
  if (record.pullRequest !== undefined) {
    const { number, url, branch } = record.pullRequest;
    const label = `PR #${escapeHtml(String(number))}`;
    const href = safeHref(url);
    parts.push(
      href === undefined
        ? `<span title="${escapeHtml(branch)}">${label}</span>`
        : `<a href="${href}" title="${escapeHtml(branch)}" rel="noopener noreferrer" target="_blank">${label}</a>`,
    );
  }
  return parts.join(' · ');
};

/** What the tooltip adds: exact times, run, commit, the version it replaced. */
const cellTitle = (record: ReleaseRecord): string =>
  [
    `${record.chart} ${record.version} in ${record.environment}: ${record.state} since ${formatUtc(record.since)}`,
    record.previousVersion === undefined ? '' : `previous ${record.previousVersion}`,
    record.deadline === undefined ? '' : `deadline ${formatUtc(record.deadline)}`,
    record.committedAt === undefined ? '' : `committed ${formatUtc(record.committedAt)}`,
    record.convergedAt === undefined ? '' : `converged ${formatUtc(record.convergedAt)}`,
    record.commit === undefined ? '' : `commit ${shortCommit(record.commit)}`,
    `run ${record.runId}`,
  ]
    .filter(Boolean)
    .join('\n');

const cell = (record: ReleaseRecord | undefined, now: string): string => {
  if (record === undefined)
    return '<td class="cpb-empty"><span aria-hidden="true">—</span><span class="cpb-sr">not deployed</span></td>';
  const look = lookOfState(record.state);
  return (
    `<td class="cpb-cell cpb-t-${look.tone}" data-state="${escapeHtml(record.state)}" title="${escapeHtml(cellTitle(record))}">` +
    `<span class="cpb-l1"><span class="cpb-glyph" aria-hidden="true">${look.glyph}</span> ` +
    `<span class="cpb-word">${escapeHtml(record.state)}</span><span class="cpb-ver">${escapeHtml(record.version)}</span></span>` +
    `<span class="cpb-l2">${cellDetail(record, now)}</span></td>`
  );
};

/**
 * The chart × environment table for the charts given (already filtered), with sticky header and names;
 * with no rows it still shows the environments, and says why it is empty.
 */
export const matrixTable = (matrix: BoardMatrix, charts: readonly string[], now: string): string => {
  const head = matrix.environments.map((e) => `<th scope="col">${escapeHtml(e)}</th>`).join('');
  const rows = charts.map((chart) => {
    const records = matrix.environments.map((e) => cellOf(matrix, chart, e));
    const needs = records.some((r) => r !== undefined && lookOfState(r.state).attention);
    return (
      `<tr id="${idFor('cpb-c-', chart)}"${needs ? ' class="cpb-needs"' : ''}>` +
      `<th scope="row" title="${escapeHtml(chart)}">${escapeHtml(chart)}</th>` +
      `${records.map((r) => cell(r, now)).join('')}</tr>`
    );
  });
  const none =
    matrix.charts.length === 0
      ? 'No releases recorded yet.'
      : charts.length === 0
        ? 'No chart matches the filter.'
        : undefined;
  const empty =
    none === undefined
      ? ''
      : `<tr><td class="cpb-empty" colspan="${matrix.environments.length + 1}">${none}</td></tr>`;
  return (
    '<table class="cpb-matrix"><caption class="cpb-sr">Version and state of each chart in each environment</caption>' +
    `<thead><tr><th scope="col">Chart</th>${head}</tr></thead><tbody>${rows.join('')}${empty}</tbody></table>`
  );
};
