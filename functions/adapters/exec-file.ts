import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * A small typed wrapper on `child_process.execFile` for the helm and kubectl binaries.
 *
 * - No shell, ever: the program and its arguments are passed as an array, so chart names, paths and
 *   values can never be interpreted as shell syntax (why `helm-ts` was rejected: ARCHITECTURE.md,
 *   "Decisions").
 * - The child gets exactly the environment given, nothing inherited: no KUBECONFIG, no HELM_* settings,
 *   no credentials of the caller leak into a tool that renders untrusted charts.
 * - A timeout kills the process (SIGKILL: helm does not need a graceful shutdown to render).
 * - Output is capped by `maxBuffer`; a chart that renders more than that is killed, not buffered.
 *
 * A run that exits (with any code) is a result; failing to run (missing binary, timeout, signal,
 * too much output) is an `ExecFileError`, because callers must treat those differently.
 */

export interface ExecFileOptions {
  /** The complete environment of the child: nothing is inherited. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Kill the child after this long. @default 30_000 */
  readonly timeoutMs?: number;
  /** Largest stdout (and, separately, stderr) accepted, in bytes. @default 64 MiB */
  readonly maxBuffer?: number;
}

export interface ExecFileResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export type ExecFailureKind = 'spawn' | 'timeout' | 'max-buffer' | 'signal';

export class ExecFileError extends Error {
  override readonly name = 'ExecFileError';
  readonly kind: ExecFailureKind;
  readonly file: string;
  readonly stderr: string;

  constructor(
    kind: ExecFailureKind,
    file: string,
    message: string,
    options: { cause?: unknown; stderr?: string },
  ) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.file = file;
    this.stderr = options.stderr ?? '';
  }
}

export const DEFAULT_EXEC_TIMEOUT_MS = 30_000;
export const DEFAULT_EXEC_MAX_BUFFER = 64 * 1024 * 1024;

interface NodeExecError extends Error {
  code?: number | string | null;
  signal?: NodeJS.Signals | null;
}

export const runFile = (
  file: string,
  args: readonly string[],
  options: ExecFileOptions = {},
): Promise<ExecFileResult> => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const child = execFile(
      file,
      [...args],
      {
        shell: false,
        env: { ...options.env },
        cwd: options.cwd,
        maxBuffer: options.maxBuffer ?? DEFAULT_EXEC_MAX_BUFFER,
        killSignal: 'SIGKILL',
        windowsHide: true,
        encoding: 'utf8',
      },
      (error: NodeExecError | null, stdout, stderr) => {
        clearTimeout(timer);
        const durationMs = performance.now() - started;
        if (!error) return resolve({ exitCode: 0, stdout, stderr, durationMs });
        const failure = classify(error, file, timedOut, timeoutMs, stderr);
        if (failure) return reject(failure);
        resolve({ exitCode: Number(error.code), stdout, stderr, durationMs });
      },
    );
    // Our own timer (rather than execFile's `timeout`) so a timeout is told apart from any other kill.
    timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    // The tools never read stdin; close it so one that tries gets EOF instead of hanging.
    child.stdin?.end();
  });
};

/** Maps a failed execFile callback to an ExecFileError, or undefined when the child simply exited non-zero. */
const classify = (
  error: NodeExecError,
  file: string,
  timedOut: boolean,
  timeoutMs: number,
  stderr: string,
): ExecFileError | undefined => {
  if (timedOut) {
    return new ExecFileError('timeout', file, `${file} did not finish within ${timeoutMs} ms`, {
      cause: error,
      stderr,
    });
  }
  if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return new ExecFileError('max-buffer', file, `${file} wrote more output than allowed`, {
      cause: error,
      stderr,
    });
  }
  if (typeof error.code === 'number') return undefined;
  if (error.signal) {
    return new ExecFileError('signal', file, `${file} was killed by ${error.signal}`, {
      cause: error,
      stderr,
    });
  }
  return new ExecFileError('spawn', file, `cannot run ${file}: ${error.message}`, { cause: error, stderr });
};

/**
 * The environment for helm/kubectl runs: everything points inside `home`, a private directory the
 * caller creates and removes. HOME there means no ~/.kube/config and no ~/.config/helm of the caller;
 * TMPDIR there means helm's own scratch files (lint unpacks archives) are removed with it.
 * https://helm.sh/docs/helm/helm/ (environment variables)
 */
export const isolatedToolEnv = (home: string): Record<string, string> => ({
  HOME: home,
  TMPDIR: home,
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HELM_CACHE_HOME: join(home, 'helm-cache'),
  HELM_CONFIG_HOME: join(home, 'helm-config'),
  HELM_DATA_HOME: join(home, 'helm-data'),
  // Never talk to a cluster: template and lint are client-side only.
  KUBECONFIG: join(home, 'no-kubeconfig'),
});
