import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { intakeChart } from '../../../functions/chart/intake';
import { refusal } from '../../../functions/chart/refusal';
import type { ChartRenderer, RenderRequest, RenderResult } from '../../../functions/ports/chart-renderer';
import { buildChart } from '../../support/tar-fixtures';

const fixtures = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)), 'test/fixtures/charts');

/** Records what it was asked to render and answers as told. */
class FakeRenderer implements ChartRenderer {
  readonly requests: RenderRequest[] = [];
  constructor(private readonly answer: RenderResult) {}
  async render(request: RenderRequest): Promise<RenderResult> {
    this.requests.push(request);
    return this.answer;
  }
}

const rendered: RenderResult = { ok: true, manifests: 'kind: ConfigMap\n', durationMs: 1 };

describe('intakeChart', () => {
  it('hands the renderer the archive exactly as uploaded, even when streamed in chunks', async () => {
    // Prepare
    const archive = await readFile(path.join(fixtures, 'podinfo-6.14.1.tgz'));
    async function* chunks() {
      for (let i = 0; i < archive.byteLength; i += 1000) yield archive.subarray(i, i + 1000);
    }
    const renderer = new FakeRenderer(rendered);
    // Act
    const result = await intakeChart(chunks(), { renderer });
    // Assess
    expect(result.ok && result.chart.name).toBe('podinfo');
    expect(renderer.requests).toHaveLength(1);
    expect(Buffer.compare(Buffer.from(renderer.requests[0]!.archive), archive)).toBe(0);
    expect(renderer.requests[0]?.chart.version).toBe('6.14.1');
  });

  it('turns a render refusal into the result refusal (RENDER_FAILED)', async () => {
    // Prepare
    const failure = refusal('RENDER_FAILED', 'templates/x.yaml: parse error', 'templates/x.yaml');
    const renderer = new FakeRenderer({ ok: false, refusal: failure });
    // Act
    const result = await intakeChart(await buildChart('demo', '1.0.0'), { renderer });
    // Assess
    expect(result).toEqual({ ok: false, refusals: [failure], identity: { name: 'demo', version: '1.0.0' } });
  });

  it('never renders a refused archive', async () => {
    // Prepare
    const renderer = new FakeRenderer(rendered);
    // Act
    const result = await intakeChart(await buildChart('demo', 'latest'), { renderer });
    // Assess
    expect(!result.ok && result.refusals.map((r) => r.code)).toEqual(['CHART_VERSION_INVALID']);
    expect(renderer.requests).toEqual([]);
  });

  // helm v3.17.2 cmd/helm/install.go L320-L329: only application charts are installable.
  // https://github.com/helm/helm/blob/v3.17.2/cmd/helm/install.go#L320-L329
  it('refuses a library chart as CHART_NOT_INSTALLABLE from Chart.yaml, before helm runs', async () => {
    // Prepare
    const renderer = new FakeRenderer(rendered);
    const archive = await buildChart('lib', '1.0.0', {
      'Chart.yaml': 'apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n',
    });
    // Act
    const result = await intakeChart(archive, { renderer });
    // Assess
    expect(result).toEqual({
      ok: false,
      refusals: [
        {
          code: 'CHART_NOT_INSTALLABLE',
          message: expect.stringMatching(/^library charts are not installable: .*charts\//),
          path: 'Chart.yaml',
        },
      ],
      identity: { name: 'lib', version: '1.0.0' },
    });
    expect(renderer.requests).toEqual([]);
  });

  it('works without a renderer, and applies the given limits', async () => {
    // Prepare
    const archive = await buildChart('demo', '1.0.0');
    // Act
    const plain = await intakeChart(archive);
    const limited = await intakeChart(archive, { limits: { maxArchiveBytes: 10 } });
    // Assess
    expect(plain.ok).toBe(true);
    expect(!limited.ok && limited.refusals[0]?.code).toBe('ARCHIVE_TOO_LARGE');
  });

  it('rethrows a failure of the source itself (I/O, retryable) instead of refusing', async () => {
    // Prepare
    const archive = await buildChart('demo', '1.0.0');
    async function* broken() {
      yield archive.subarray(0, 50);
      throw new Error('socket hang up');
    }
    // Act / Assess
    await expect(intakeChart(broken())).rejects.toThrow('socket hang up');
  });
});
