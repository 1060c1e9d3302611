import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scaledTimeout } from './machine-speed';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** The executable a user runs (node + tsx behind a shebang). */
export const CHART_PROMOTER_BIN = path.join(repoRoot, 'bin', 'chart-promoter');

export interface CliRun {
  /** The exit code; -1 when the process did not exit with one (killed by a signal or the timeout). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A runner of the real command as a user would start it: its own process, from another directory
 * (so nothing depends on the repository being the working directory), killed after `timeoutMs`.
 * A start costs about half a second to two seconds (node + tsx) at rest, hence the per-file timeouts;
 * `timeoutMs` is the figure at rest, scaled by how much slower the machine runs (machine-speed.ts).
 */
export const chartPromoterProcess =
  (timeoutMs: number) =>
  (...args: string[]): Promise<CliRun> =>
    new Promise((done) => {
      const timeout = scaledTimeout(timeoutMs);
      execFile(CHART_PROMOTER_BIN, args, { cwd: tmpdir(), timeout }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      });
    });
