import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PromoterError } from '../errors';
import { isolatedToolEnv, runFile } from './exec-file';
import { templateFailureMessage } from './helm-messages';

/**
 * `helm package <dir>`: turns a chart directory into the `.tgz` users upload, exactly as Helm writes
 * it (`<name>-<version>.tgz`, one top-level directory). https://helm.sh/docs/helm/helm_package/
 */
export const packageChart = async (
  helmPath: string,
  chartDir: string,
  destination: string,
  options: { readonly timeoutMs?: number } = {},
): Promise<string> => {
  const home = await mkdtemp(join(tmpdir(), 'chart-promoter-helm-'));
  try {
    const before = new Set(await readdir(destination));
    const result = await runFile(helmPath, ['package', chartDir, '--destination', destination], {
      env: isolatedToolEnv(home),
      timeoutMs: options.timeoutMs ?? 60_000,
    });
    if (result.exitCode !== 0) {
      throw new PromoterError(
        'PACKAGE_FAILED',
        'terminal',
        `helm package ${chartDir}: ${templateFailureMessage(result.stderr)}`,
      );
    }
    const written = (await readdir(destination)).find((file) => file.endsWith('.tgz') && !before.has(file));
    const reported = /Successfully packaged chart and saved it to: (.+\.tgz)/
      .exec(result.stdout)?.[1]
      ?.trim();
    const archive = reported ?? (written ? join(destination, written) : undefined);
    if (!archive)
      throw new PromoterError('PACKAGE_FAILED', 'terminal', `helm package ${chartDir} wrote no archive`);
    return archive;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
};
