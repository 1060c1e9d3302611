import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RELIABILITY_SIZE } from './reliability-size';

/**
 * Figures of the reliability suite. Vitest runs each test file in its own process, so every scenario
 * writes its row to a per-run directory (keyed by the vitest parent process) and then prints what the
 * run holds so far: the file that completes the set prints the whole summary table and writes
 * results.json beside the rows (path printed; override with CHART_PROMOTER_RELIABILITY_RESULTS).
 */

export interface ScenarioFigures {
  /** Stable order key and label, e.g. `1 hostile archives`. */
  readonly scenario: string;
  /** Inputs driven through (archives, uploads, messages). */
  readonly cases: number;
  readonly committed: number;
  readonly refused: number;
  /** Ignored with a documented reason (e.g. OBJECT_NOT_FOUND), or `unchanged` duplicates. */
  readonly ignored: number;
  /** Ended in the dead-letter path (batchItemFailures until maxReceives) with their reason. */
  readonly deadLettered: number;
  /** Inputs with no outcome at all: must be 0. */
  readonly lost: number;
  /** Changes committed more than once: must be 0. */
  readonly duplicated: number;
  /** Retries survived: commit conflicts, redeliveries, client-side HTTP retries. */
  readonly retries: number;
  /** process.resourceUsage().maxRSS of the test file's process, MiB. */
  readonly peakRssMiB: number;
  readonly seconds: number;
  readonly notes?: string;
}

/** Every scenario the suite runs; the row that completes this set prints the table. */
export const SCENARIOS = [
  '1 hostile archives',
  '2 duplicates',
  '3 concurrency',
  '4 host faults',
  '4b host faults: Bitbucket, GitLab',
  '5 s3 faults',
  '6 webhook attacks',
  '7 secrets',
  '8 dependencies',
] as const;

const runDir = (): string =>
  process.env.CHART_PROMOTER_RELIABILITY_RESULTS
    ? path.dirname(process.env.CHART_PROMOTER_RELIABILITY_RESULTS)
    : path.join(tmpdir(), 'chart-promoter-reliability', `run-${process.ppid}`);

export const resultsPath = (): string =>
  process.env.CHART_PROMOTER_RELIABILITY_RESULTS ?? path.join(runDir(), 'results.json');

const slug = (scenario: string): string => scenario.replace(/[^a-z0-9]+/gi, '-').toLowerCase();

export const peakRssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

const COLUMNS: readonly (readonly [keyof ScenarioFigures, string])[] = [
  ['scenario', 'scenario'],
  ['cases', 'cases'],
  ['committed', 'committed'],
  ['refused', 'refused'],
  ['ignored', 'ignored'],
  ['deadLettered', 'DLQ'],
  ['lost', 'lost'],
  ['duplicated', 'duplicated'],
  ['retries', 'retries'],
  ['peakRssMiB', 'peak RSS MiB'],
  ['seconds', 's'],
];

/** A Markdown table (it goes into the README as is). */
export const formatTable = (rows: readonly ScenarioFigures[]): string => {
  const header = `| ${COLUMNS.map(([, label]) => label).join(' | ')} |`;
  const rule = `| ${COLUMNS.map(([key]) => (key === 'scenario' ? '---' : '---:')).join(' | ')} |`;
  const lines = rows.map((row) => `| ${COLUMNS.map(([key]) => String(row[key] ?? '')).join(' | ')} |`);
  const notes = rows.filter((row) => row.notes).map((row) => `- ${row.scenario}: ${row.notes}`);
  return [header, rule, ...lines, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
};

const readRows = async (dir: string): Promise<ScenarioFigures[]> => {
  const names = (await readdir(dir)).filter((name) => name.startsWith('row-') && name.endsWith('.json'));
  const rows = await Promise.all(
    names.map(async (name) => JSON.parse(await readFile(path.join(dir, name), 'utf8')) as ScenarioFigures),
  );
  return rows.sort((a, b) => a.scenario.localeCompare(b.scenario, 'en', { numeric: true }));
};

const writeAtomically = async (file: string, text: string): Promise<void> => {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
};

/** Run directories of earlier runs, older than a day, are removed (they are only ever a few KiB). */
const pruneOldRuns = async (current: string): Promise<void> => {
  if (process.env.CHART_PROMOTER_RELIABILITY_RESULTS) return;
  const root = path.dirname(current);
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const dir = path.join(root, name);
    if (!name.startsWith('run-') || dir === current) continue;
    const old = await stat(dir).then(
      (s) => s.mtimeMs < dayAgo,
      () => false,
    );
    if (old) await rm(dir, { recursive: true, force: true });
  }
};

/** Records one scenario's row, then prints the row or, once every scenario has reported, the table. */
export const reportScenario = async (figures: ScenarioFigures): Promise<void> => {
  const dir = runDir();
  await mkdir(dir, { recursive: true });
  await pruneOldRuns(dir);
  await writeAtomically(path.join(dir, `row-${slug(figures.scenario)}.json`), JSON.stringify(figures));
  const rows = await readRows(dir);
  const complete = SCENARIOS.every((name) => rows.some((row) => row.scenario === name));
  const document = { size: RELIABILITY_SIZE, writtenAt: new Date().toISOString(), rows };
  await writeAtomically(resultsPath(), `${JSON.stringify(document, null, 2)}\n`);
  const title = `chart-promoter reliability (${RELIABILITY_SIZE})`;
  console.log(
    complete
      ? `\n${title}: summary\n\n${formatTable(rows)}\n\nresults: ${resultsPath()}\n`
      : `\n${title}\n\n${formatTable([figures])}\n`,
  );
};

type Counts = Record<
  'cases' | 'committed' | 'refused' | 'ignored' | 'deadLettered' | 'lost' | 'duplicated' | 'retries',
  number
>;

/** Accumulates a scenario's figures across its tests; `finish()` reports them (call in afterAll). */
export class ScenarioTally {
  readonly #scenario: string;
  readonly #started = Date.now();
  readonly #notes: string[] = [];
  readonly #figures: Counts = {
    cases: 0,
    committed: 0,
    refused: 0,
    ignored: 0,
    deadLettered: 0,
    lost: 0,
    duplicated: 0,
    retries: 0,
  };

  constructor(scenario: (typeof SCENARIOS)[number]) {
    this.#scenario = scenario;
  }

  add(figures: Partial<Counts>): void {
    for (const [key, value] of Object.entries(figures) as [keyof Counts, number][]) {
      this.#figures[key] += value;
    }
  }

  note(text: string): void {
    this.#notes.push(text);
  }

  finish(): Promise<void> {
    return reportScenario({
      scenario: this.#scenario,
      ...this.#figures,
      peakRssMiB: peakRssMiB(),
      seconds: Math.round((Date.now() - this.#started) / 100) / 10,
      ...(this.#notes.length > 0 ? { notes: this.#notes.join('; ') } : {}),
    });
  }
}
