import { describe, expect, it } from 'vitest';
import type { RepoSnapshot } from '../../../../functions/ports/git-host';
import { treeId } from '../../../../functions/ports/git-object-id';
import { chartFilesIn } from '../../../../functions/promotion/values/values-snapshot';

/**
 * chartFilesIn: the chart directory a values change renders must be the directory's exact bytes.
 * Git hosts hand file contents back as text (GitHub's GraphQL `Blob.text`, Bitbucket's and GitLab's
 * raw file reads decoded as UTF-8), so a binary file — a vendored `charts/*.tgz` — comes back altered;
 * the git tree id of what was read then differs from the one the host reported, and the change is
 * refused CHART_UNREADABLE instead of rendering other bytes.
 */
const encoder = new TextEncoder();
const DIR = 'charts/web/1.0.0';

const snapshotOf = (
  real: readonly { path: string; data: Uint8Array }[],
  returned: Readonly<Record<string, string | undefined>>,
): RepoSnapshot => ({
  head: 'a'.repeat(40),
  trees: new Map([[DIR, treeId(real)]]),
  directories: new Map([[DIR, real.map((file) => file.path)]]),
  files: new Map(Object.entries(returned).map(([path, text]) => [`${DIR}/${path}`, text])),
});

const chartYaml = 'apiVersion: v2\nname: web\nversion: 1.0.0\n';

describe('chartFilesIn', () => {
  it('gives the files when what the host returned has the tree id it reported', () => {
    // Prepare
    const real = [{ path: 'Chart.yaml', data: encoder.encode(chartYaml) }];
    // Act
    const read = chartFilesIn(snapshotOf(real, { 'Chart.yaml': chartYaml }), DIR);
    // Assess
    expect(read).toMatchObject({ ok: true, tree: treeId(real) });
  });

  it('refuses CHART_UNREADABLE when a binary file comes back as text (other bytes)', () => {
    // Prepare: gzip's magic bytes and a byte that is not UTF-8, decoded as a host would.
    const tgz = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x41]);
    const real = [
      { path: 'Chart.yaml', data: encoder.encode(chartYaml) },
      { path: 'charts/redis-1.0.0.tgz', data: tgz },
    ];
    const asText = new TextDecoder().decode(tgz);
    // Act
    const read = chartFilesIn(
      snapshotOf(real, { 'Chart.yaml': chartYaml, 'charts/redis-1.0.0.tgz': asText }),
      DIR,
    );
    // Assess
    expect(read).toMatchObject({ ok: false, code: 'CHART_UNREADABLE' });
    expect(read.ok === false && read.message).toContain('other bytes than they are');
  });

  it('refuses CHART_UNREADABLE when a listed file was not read', () => {
    // Prepare
    const real = [
      { path: 'Chart.yaml', data: encoder.encode(chartYaml) },
      { path: 'values.yaml', data: encoder.encode('replicaCount: 1\n') },
    ];
    // Act
    const read = chartFilesIn(snapshotOf(real, { 'Chart.yaml': chartYaml }), DIR);
    // Assess
    expect(read).toEqual({
      ok: false,
      code: 'CHART_UNREADABLE',
      message: `${DIR}/values.yaml could not be read`,
    });
  });

  it('refuses VERSION_NOT_FOUND when the directory is not in the repository', () => {
    // Act
    const read = chartFilesIn({ head: undefined, trees: new Map(), files: new Map() }, DIR);
    // Assess
    expect(read).toMatchObject({ ok: false, code: 'VERSION_NOT_FOUND' });
  });
});
