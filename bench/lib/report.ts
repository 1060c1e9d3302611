import type { Figure, FigureSink, TargetCheck } from './figures';

/** Collects what the scenarios report, in order, and renders the table. */
export class Report implements FigureSink {
  readonly figures = new Map<string, Figure>();
  readonly targets: TargetCheck[] = [];
  readonly details: Record<string, unknown> = {};
  readonly notes: string[] = [];
  /** Figure keys per scenario title, for sectioned output. */
  readonly sections: { title: string; keys: string[] }[] = [];

  section(title: string): void {
    this.sections.push({ title, keys: [] });
  }

  figure(key: string, figure: Figure): void {
    if (this.figures.has(key)) throw new Error(`figure ${key} reported twice`);
    this.figures.set(key, figure);
    this.sections.at(-1)?.keys.push(key);
  }

  target(check: TargetCheck): void {
    this.targets.push(check);
  }

  detail(key: string, value: unknown): void {
    this.details[key] = value;
  }

  note(text: string): void {
    this.notes.push(text);
  }
}

/** 3 significant digits, thousands separated: 1,234 / 12.3 / 0.0123. */
export const formatNumber = (value: number): string => {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits });
};

const pad = (text: string, width: number, right = false) =>
  right ? text.padStart(width) : text.padEnd(width);

export const renderTable = (report: Report): string => {
  const rows = report.sections.flatMap((section) => [
    { section: section.title },
    ...section.keys.map((key) => ({ key, figure: report.figures.get(key)! })),
  ]);
  const keyWidth = Math.max(6, ...[...report.figures.keys()].map((k) => k.length));
  const num = 12;
  const header = `${pad('figure', keyWidth)} ${pad('median', num, true)} ${pad('min', num, true)} ${pad('max', num, true)} ${pad('runs', 5, true)}  unit`;
  const lines = [header, '-'.repeat(header.length + 10)];
  for (const row of rows) {
    if ('section' in row) {
      lines.push('', row.section ?? '');
      continue;
    }
    const { key, figure } = row;
    lines.push(
      `${pad(key, keyWidth)} ${pad(formatNumber(figure.median), num, true)} ${pad(formatNumber(figure.min), num, true)} ${pad(formatNumber(figure.max), num, true)} ${pad(String(figure.runs), 5, true)}  ${figure.unit}${figure.note ? `  (${figure.note})` : ''}`,
    );
  }
  if (report.targets.length > 0) {
    lines.push('', 'Targets (issue #7)');
    for (const t of report.targets)
      lines.push(`  ${t.met ? 'MET    ' : 'NOT MET'}  ${t.target}: ${t.evidence}`);
  }
  if (report.notes.length > 0) {
    lines.push('', 'Notes');
    for (const note of report.notes) lines.push(`  - ${note}`);
  }
  return `${lines.join('\n')}\n`;
};
