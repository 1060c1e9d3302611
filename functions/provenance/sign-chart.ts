import { createHash } from 'node:crypto';
import { createCleartextMessage, readPrivateKey, sign } from 'openpgp';
import { parse } from 'yaml';
import type { Chart } from '../chart/chart';
import { provenanceBodyText } from './provenance-document';

const decoder = new TextDecoder();

/**
 * Signs a packaged chart the way `helm package --sign` does: a clear-signed provenance body for the
 * archive `<name>-<version>.tgz`. The result is accepted by `helm verify` (proved in the tests), so the
 * demo can sign its sample chart with a throwaway key generated on the fly, no gpg needed. The digest
 * is Chart.digest (sha256 of the archive bytes); `archiveBytes` is accepted to keep the call shaped
 * like Helm's (archive in, provenance out) and is checked against it.
 */
export const signChart = async (
  archiveBytes: Uint8Array,
  chart: Pick<Chart, 'name' | 'version' | 'digest' | 'files'>,
  armoredPrivateKey: string,
): Promise<string> => {
  const digest = `sha256:${createHash('sha256').update(archiveBytes).digest('hex')}`;
  if (digest !== chart.digest) throw new Error(`archive digest ${digest} is not the chart's ${chart.digest}`);
  const chartYaml = chart.files.find((file) => file.path === 'Chart.yaml');
  const metadata = chartYaml
    ? (parse(decoder.decode(chartYaml.data)) as Record<string, unknown>)
    : { name: chart.name, version: chart.version };
  const text = provenanceBodyText(metadata, `${chart.name}-${chart.version}.tgz`, digest);
  const signingKey = await readPrivateKey({ armoredKey: armoredPrivateKey });
  return sign({
    message: await createCleartextMessage({ text }),
    signingKeys: signingKey,
    format: 'armored',
  });
};
