import type { OutcomeRefusal } from '../functions/pipeline/upload-outcome';

/**
 * How the command line shows refusals, wherever they come from (`inspect`, `push`'s check before
 * the upload, `push --wait`): the first line names every code (`<subject>: refused (CODE, CODE)`), so
 * even a reader who sees only that line learns why; then one line per refusal, `CODE  path  message`,
 * continuation lines of helm's messages indented. Nothing is left out, an empty message included.
 */
export const refusedReport = (subject: string, refusals: readonly OutcomeRefusal[]): string => {
  if (refusals.length === 0) return `${subject}: refused (no reason was given: please report this)\n`;
  const codes = [...new Set(refusals.map((r) => r.code))].join(', ');
  const lines = refusals.map((r) =>
    `${r.code}  ${r.path ?? '-'}  ${r.message.trim() || '(no message)'}`.replace(/\n/g, '\n    '),
  );
  return `${subject}: refused (${codes})\n${lines.join('\n')}\n`;
};

/** Refusals as `--json` reports them: `{code, message, path?}`. */
export const refusalsJson = (refusals: readonly OutcomeRefusal[]) =>
  refusals.map((r) => (r.path === undefined ? { code: r.code, message: r.message } : { ...r }));
