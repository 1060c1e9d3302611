import { intakeChart } from '../chart/intake';
import { signChart } from './sign-chart';

/**
 * Signs a packaged chart archive as `helm package --sign` would, reading its Chart.yaml first (static
 * intake checks): the demo's one call between packaging a sample chart and uploading it with
 * `<key>.prov` beside it. Throws when the archive is not a valid chart.
 */
export const signArchive = async (
  archiveBytes: Uint8Array,
  armoredPrivateKey: string,
): Promise<{ readonly prov: string; readonly name: string; readonly version: string }> => {
  const result = await intakeChart(archiveBytes);
  if (!result.ok) {
    throw new Error(`cannot sign: ${result.refusals.map((r) => `${r.code} ${r.message}`).join('; ')}`);
  }
  const { chart } = result;
  return {
    prov: await signChart(archiveBytes, chart, armoredPrivateKey),
    name: chart.name,
    version: chart.version,
  };
};
