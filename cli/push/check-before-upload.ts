import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DEFAULT_INTAKE_LIMITS, type IntakeLimits } from '../../functions/chart/chart';
import { readChartArchive } from '../../functions/chart/read-chart-archive';
import { isChartUpload } from '../../functions/events';
import type { OutcomeRefusal } from '../../functions/pipeline/upload-outcome';
import { humanBytes } from '../format';

export type UploadCheck =
  | { readonly ok: true; readonly chart: { readonly name: string; readonly version: string } }
  | { readonly ok: false; readonly refusals: readonly OutcomeRefusal[] };

/**
 * What the pipeline would answer before any helm runs, decided here so a refusal costs no upload:
 * the key (a name the pipeline ignores, e.g. under a `charts/` folder of the prefix), the archive's
 * size against the intake limit (from the file's size alone: a 60 MiB archive is refused without
 * reading it), then intake's static checks (functions/chart: limits, safe paths, Chart.yaml,
 * dependencies, values and their schema). `helm lint`/`template` stay in the pipeline (or
 * `chart-promoter inspect`). The limits are the pipeline's defaults; a stack deployed with other
 * limits may accept more (`push --no-check`).
 */
export const checkBeforeUpload = async (
  archive: string,
  target: { readonly key: string; readonly prefix: string },
  limits: IntakeLimits = DEFAULT_INTAKE_LIMITS,
): Promise<UploadCheck> => {
  const upload = isChartUpload(target.key, target.prefix);
  if (!upload.chart) {
    const what = upload.status === 'ignored' ? 'ignore' : 'refuse';
    return {
      ok: false,
      refusals: [
        { code: upload.reason, message: `the pipeline would ${what} ${target.key}: ${upload.message}` },
      ],
    };
  }
  const { size } = await stat(archive);
  if (size > limits.maxArchiveBytes) {
    return {
      ok: false,
      refusals: [
        {
          code: 'ARCHIVE_TOO_LARGE',
          message: `${basename(archive)} is ${humanBytes(size)} (${size} bytes), over the ${humanBytes(limits.maxArchiveBytes)} archive limit`,
        },
      ],
    };
  }
  const result = await readChartArchive(createReadStream(archive), limits);
  return result.ok
    ? { ok: true, chart: { name: result.chart.name, version: result.chart.version } }
    : { ok: false, refusals: result.refusals };
};
