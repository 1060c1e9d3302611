import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PromoterError } from '../errors';
import type { ChartRenderer, RenderRequest, RenderResult } from '../ports/chart-renderer';
import {
  DEFAULT_EXEC_MAX_BUFFER,
  ExecFileError,
  type ExecFileResult,
  isolatedToolEnv,
  runFile,
} from './exec-file';
import { lintFailureMessage, stripWorkDir, templateFailureMessage, templatePathOf } from './helm-messages';

/** Helm could not run at all (missing binary, timeout, killed): the chart is not at fault, retry. */
export const RENDERER_UNAVAILABLE = 'RENDERER_UNAVAILABLE';

export interface HelmChartRendererOptions {
  /** Path of the helm 3 binary (`/opt/helm/helm` in Lambda, `layerBinaryPath('helm')` locally). */
  readonly helmPath: string;
  /** Limit for each helm run. @default 30_000 */
  readonly timeoutMs?: number;
  /** Where the private per-render directory is created. @default os.tmpdir() */
  readonly tempDir?: string;
  /** Largest rendered output accepted; more is a refusal. @default 64 MiB */
  readonly maxOutputBytes?: number;
}

const DEFAULT_NAMESPACE = 'default';

/**
 * Proves a chart renders the way Flux's helm-controller would: `helm lint` (only ERROR findings fail;
 * INFO/WARNING such as "icon is recommended" do not) and `helm template` with the release's values.
 * https://helm.sh/docs/helm/helm_lint/ and https://helm.sh/docs/helm/helm_template/
 */
export class HelmChartRenderer implements ChartRenderer {
  private readonly helmPath: string;
  private readonly timeoutMs: number | undefined;
  private readonly tempDir: string | undefined;
  private readonly maxOutputBytes: number | undefined;

  constructor(options: HelmChartRendererOptions) {
    this.helmPath = options.helmPath;
    this.timeoutMs = options.timeoutMs;
    this.tempDir = options.tempDir;
    this.maxOutputBytes = options.maxOutputBytes;
  }

  async render(request: RenderRequest): Promise<RenderResult> {
    const started = performance.now();
    const workDir = await this.makeWorkDir();
    try {
      const archive = join(workDir, 'chart.tgz');
      const args = await this.writeInputs(workDir, archive, request);
      const namespace = request.namespace ?? DEFAULT_NAMESPACE;
      const release = request.releaseName ?? request.chart.name;
      const env = isolatedToolEnv(workDir);
      // Both runs read the same archive; run them together (lint alone costs as much as template).
      // `--` ends the flags, so a release name can never be taken for one.
      const [lint, template] = await settleBoth(
        this.helm(['lint', '--namespace', namespace, ...args, '--', archive], env),
        this.helm(['template', '--namespace', namespace, ...args, '--', release, archive], env),
      );
      if (lint.exitCode !== 0) {
        return failed(stripWorkDir(lintFailureMessage(lint.stdout, lint.stderr), workDir));
      }
      if (template.exitCode !== 0) {
        return failed(stripWorkDir(templateFailureMessage(template.stderr), workDir));
      }
      return { ok: true, manifests: template.stdout, durationMs: performance.now() - started };
    } catch (error) {
      if (error instanceof ExecFileError && error.kind === 'max-buffer') {
        return failed(
          `rendered output is larger than the limit of ${this.maxOutputBytes ?? DEFAULT_EXEC_MAX_BUFFER} bytes`,
        );
      }
      throw unavailable(error);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  private async makeWorkDir(): Promise<string> {
    try {
      return await mkdtemp(join(this.tempDir ?? tmpdir(), 'chart-promoter-helm-'));
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** Writes the archive and the values file; returns the values arguments for helm. */
  private async writeInputs(workDir: string, archive: string, request: RenderRequest): Promise<string[]> {
    await writeFile(archive, request.archive);
    if (request.values === undefined || request.values.trim() === '') return [];
    const values = join(workDir, 'values.yaml');
    await writeFile(values, request.values);
    return ['--values', values];
  }

  private helm(args: string[], env: Record<string, string>): Promise<ExecFileResult> {
    return runFile(this.helmPath, args, { env, timeoutMs: this.timeoutMs, maxBuffer: this.maxOutputBytes });
  }
}

const failed = (message: string): RenderResult => {
  const path = templatePathOf(message);
  return { ok: false, refusal: { code: 'RENDER_FAILED', message, ...(path === undefined ? {} : { path }) } };
};

const unavailable = (error: unknown): PromoterError =>
  error instanceof PromoterError
    ? error
    : new PromoterError(
        RENDERER_UNAVAILABLE,
        'retryable',
        `helm is unavailable: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );

/** Like Promise.all, but waits for both runs to end before rejecting, so cleanup never races a child. */
const settleBoth = async <A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> => {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
};
