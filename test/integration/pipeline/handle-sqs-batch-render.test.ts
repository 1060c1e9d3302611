import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HelmChartRenderer } from '../../../functions/adapters/helm-chart-renderer';
import { layerBinaryPath } from '../../../functions/adapters/layer-binaries';
import {
  eventBridgeRecord,
  FIXTURE_CHARTS,
  newPipeline,
  s3NotificationRecord,
  useWorld,
} from '../../support/pipeline/harness';
import { buildChart } from '../../support/tar-fixtures';

// The one place the handler runs with the real helm render check (slow: a few hundred ms per chart).
describe('handleSqsBatch with the real helm render check', () => {
  const world = useWorld();
  let renderer: HelmChartRenderer;

  beforeAll(async () => {
    renderer = new HelmChartRenderer({ helmPath: await layerBinaryPath('helm') });
  });

  it('promotes podinfo and refuses, with RENDER_FAILED and no commit of it, a chart whose template breaks', async () => {
    // Prepare
    const pipeline = await newPipeline(world, () => ({ renderer }));
    const podinfo = await world.upload(
      'incoming/podinfo-6.14.1.tgz',
      await readFile(path.join(FIXTURE_CHARTS, 'podinfo-6.14.1.tgz')),
    );
    const broken = await world.upload(
      'incoming/broken-1.0.0.tgz',
      await buildChart('broken', '1.0.0', { 'templates/bad.yaml': 'kind: {{ .Values.missing.deeper }}\n' }),
    );

    // Act
    const { response, outcomes } = await pipeline.run(
      s3NotificationRecord(podinfo),
      eventBridgeRecord(broken),
    );

    // Assess
    const head = await pipeline.head();
    expect(response.batchItemFailures).toEqual([]);
    expect(outcomes).toMatchObject([
      { status: 'promoted', chart: 'podinfo', version: '6.14.1', commit: head },
      // helm refused it after Chart.yaml was read: the run still names the chart.
      { status: 'refused', code: 'RENDER_FAILED', chart: 'broken', version: '1.0.0' },
    ]);
    const files = await pipeline.git('ls-tree', '-r', '--name-only', head);
    expect(files).toContain('charts/podinfo/6.14.1/Chart.yaml');
    expect(files).not.toContain('broken');
    expect(await world.tags(broken.key)).toMatchObject({
      'chart-promoter/status': 'refused',
      'chart-promoter/code': 'RENDER_FAILED',
    });
  });
});
