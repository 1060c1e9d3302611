import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PromoterError } from '../errors';
import { ExecFileError, isolatedToolEnv, runFile } from './exec-file';

/** The kustomization does not build: terminal, the files are wrong. */
export const KUSTOMIZE_FAILED = 'KUSTOMIZE_FAILED';
/** kubectl could not run (missing binary, timeout): retryable. */
export const KUSTOMIZE_UNAVAILABLE = 'KUSTOMIZE_UNAVAILABLE';

export interface KubectlKustomizeOptions {
  /** Path of the kubectl binary (`/opt/kubectl/kubectl` in Lambda, `layerBinaryPath('kubectl')` locally). */
  readonly kubectlPath: string;
  /** @default 30_000 */
  readonly timeoutMs?: number;
  /** Where the private HOME of each run is created. @default os.tmpdir() */
  readonly tempDir?: string;
}

/**
 * Builds a kustomization directory exactly as Flux's kustomize-controller would before applying it:
 * `kubectl kustomize <dir>` (kustomize built into kubectl, no cluster access).
 * https://kubectl.docs.kubernetes.io/references/kubectl/kustomize/
 */
export class KubectlKustomize {
  private readonly options: KubectlKustomizeOptions;

  constructor(options: KubectlKustomizeOptions) {
    this.options = options;
  }

  /** Returns the built manifests; throws PromoterError KUSTOMIZE_FAILED with kubectl's message. */
  async build(dir: string): Promise<string> {
    const home = await mkdtemp(join(this.options.tempDir ?? tmpdir(), 'chart-promoter-kubectl-'));
    try {
      const result = await runFile(this.options.kubectlPath, ['kustomize', '--', dir], {
        env: isolatedToolEnv(home),
        timeoutMs: this.options.timeoutMs,
      });
      if (result.exitCode !== 0) {
        throw new PromoterError(KUSTOMIZE_FAILED, 'terminal', kubectlMessage(result.stderr));
      }
      return result.stdout;
    } catch (error) {
      if (error instanceof ExecFileError) {
        throw new PromoterError(KUSTOMIZE_UNAVAILABLE, 'retryable', error.message, { cause: error });
      }
      throw error;
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }
}

/** kubectl prints `error: <what>` on stderr; keep its words, drop the prefix. */
const kubectlMessage = (stderr: string): string => {
  const text = stderr.trim();
  return (
    (text.startsWith('error:') ? text.slice('error:'.length).trim() : text) || 'kubectl kustomize failed'
  );
};
