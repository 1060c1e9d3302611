/**
 * Pure helpers that turn helm's output into the message of a `RENDER_FAILED` refusal: helm's own
 * words, without its banner lines and without the private paths of the run that produced them.
 */

const MAX_MESSAGE_CHARS = 4000;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes the run's private directory from helm's messages; `helm lint <tgz>` unpacks the archive
 * into `$TMPDIR/helm-lint<random>/`, which is inside that directory too.
 */
export const stripWorkDir = (text: string, workDir: string): string =>
  text.replace(new RegExp(`${escapeRegExp(workDir)}/(helm-lint\\d+/)?`, 'g'), '');

const cap = (text: string): string =>
  text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…`;

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

/**
 * `helm lint` prints findings on stdout as `[INFO]`, `[WARNING]` and `[ERROR]` lines and exits 1 only
 * when there is an ERROR; stderr then only says "Error: 1 chart(s) linted, 1 chart(s) failed".
 * https://helm.sh/docs/helm/helm_lint/
 */
export const lintFailureMessage = (stdout: string, stderr: string): string => {
  const errors = lines(stdout)
    .filter((line) => line.startsWith('[ERROR]'))
    .map((line) => line.slice('[ERROR]'.length).trim());
  if (errors.length > 0) return cap(errors.join('\n'));
  const other = errorLines(stderr).filter((line) => !/chart\(s\) linted/.test(line));
  return cap(other.length > 0 ? other.join('\n') : stderr.trim() || 'helm lint failed');
};

/** `helm template` reports its failure on stderr as `Error: ...` (followed by hints we drop). */
export const templateFailureMessage = (stderr: string): string => {
  const errors = errorLines(stderr);
  return cap(errors.length > 0 ? errors.join('\n') : stderr.trim() || 'helm template failed');
};

const errorLines = (text: string): string[] =>
  lines(text)
    .filter((line) => line.startsWith('Error:'))
    .map((line) => line.slice('Error:'.length).trim());

/**
 * The chart-relative file a template error points at, e.g. `parse error at
 * (mychart/templates/cm.yaml:6)` → `templates/cm.yaml`. Helm names files from the chart's top-level
 * directory, which is not part of an archive-relative path (see ChartFile.path).
 */
export const templatePathOf = (message: string): string | undefined => {
  const match = /\(([^()\s:]+\/[^()\s:]+):\d+/.exec(message);
  const path = match?.[1];
  if (!path) return undefined;
  const slash = path.indexOf('/');
  return path.slice(slash + 1);
};
