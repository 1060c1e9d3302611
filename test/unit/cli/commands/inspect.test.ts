import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../../../../cli/command';
import { inspectCommand } from '../../../../cli/commands/inspect';
import { refusal } from '../../../../functions/chart/refusal';
import type { ChartRenderer, RenderRequest, RenderResult } from '../../../../functions/ports/chart-renderer';
import { captureIo } from '../../../support/cli-capture';
import { buildChart } from '../../../support/tar-fixtures';

const repoRoot = resolve(import.meta.dirname, '../../../..');
const fixtures = resolve(repoRoot, 'test/fixtures/charts');
const podinfo = join(fixtures, 'podinfo-6.14.1.tgz');

/** Stands in for helm (covered by the helm integration tests): answers what the test chooses. */
const stubRenderer = (answer: RenderResult): ChartRenderer & { requests: RenderRequest[] } => {
  const requests: RenderRequest[] = [];
  return {
    requests,
    render: async (request) => {
      requests.push(request);
      return answer;
    },
  };
};

const rendersFine = (): ReturnType<typeof stubRenderer> =>
  stubRenderer({ ok: true, manifests: 'kind: Service\n', durationMs: 42 });

const inspect = (renderer: ChartRenderer) => inspectCommand({ renderer: async () => renderer });

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cli-inspect-unit-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('inspect', () => {
  it('accepts podinfo and prints exactly one JSON document describing it', async () => {
    // Prepare
    const renderer = rendersFine();
    const io = captureIo();
    // Act
    const code = await inspect(renderer).run([podinfo, '--json'], io);
    // Assess
    expect(code).toBe(EXIT.ok);
    const document = JSON.parse(io.out());
    expect(document).toMatchObject({
      ok: true,
      chart: {
        name: 'podinfo',
        version: '6.14.1',
        appVersion: '6.14.1',
        apiVersion: 'v1',
        type: 'application',
      },
    });
    expect(document.chart.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(document.chart.files).toContain('templates/deployment.yaml');
    expect(document.chart.archiveBytes).toBe(16_918);
    expect(document.chart.bytes).toBeGreaterThan(document.chart.archiveBytes);
    expect(renderer.requests).toHaveLength(1);
    expect(renderer.requests[0]?.archive.byteLength).toBe(16_918);
  });

  it('prints a human report with the render time', async () => {
    const io = captureIo();
    expect(await inspect(rendersFine()).run([podinfo], io)).toBe(EXIT.ok);
    expect(io.out()).toMatch(/^podinfo 6\.14\.1: accepted\n/);
    expect(io.out()).toMatch(/size\s+69\.6 KiB decompressed, 16\.5 KiB archive/);
    expect(io.out()).toMatch(/render\s+helm lint \+ template in 42 ms/);
  });

  it('refuses argo-cd with a missing dependency: exit 1, CODE  path  message', async () => {
    const renderer = rendersFine();
    const io = captureIo();
    const code = await inspect(renderer).run([join(fixtures, 'argo-cd-10.1.1-missing-dependency.tgz')], io);
    expect(code).toBe(EXIT.failed);
    expect(io.out()).toMatch(/^CHART_DEPENDENCY_MISSING {2}Chart\.yaml {2}.*redis-ha/m);
    expect(renderer.requests).toEqual([]);
  });

  it('reports a render refusal as the chart’s error, in JSON', async () => {
    const renderer = stubRenderer({
      ok: false,
      refusal: refusal('RENDER_FAILED', 'function "nope" not defined', 'templates/cm.yaml'),
    });
    const io = captureIo();
    expect(await inspect(renderer).run([podinfo, '--json'], io)).toBe(EXIT.failed);
    expect(JSON.parse(io.out())).toEqual({
      ok: false,
      errors: [{ code: 'RENDER_FAILED', message: 'function "nope" not defined', path: 'templates/cm.yaml' }],
    });
  });

  // helm v3.17.2 cmd/helm/install.go L320-L329: only application charts are installable.
  it('refuses a library chart as CHART_NOT_INSTALLABLE, naming the code on the first line, before helm runs', async () => {
    // Prepare
    const file = join(scratch, 'lib-1.0.0.tgz');
    await writeFile(
      file,
      await buildChart('lib', '1.0.0', {
        'Chart.yaml': 'apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n',
      }),
    );
    const renderer = rendersFine();
    const text = captureIo();
    const json = captureIo();
    // Act
    const textCode = await inspect(renderer).run([file], text);
    const jsonCode = await inspect(renderer).run([file, '--json'], json);
    // Assess
    expect([textCode, jsonCode]).toEqual([EXIT.failed, EXIT.failed]);
    expect(text.out()).toMatch(/^.*lib-1\.0\.0\.tgz: refused \(CHART_NOT_INSTALLABLE\)\n/);
    expect(text.out()).toMatch(
      /^CHART_NOT_INSTALLABLE {2}Chart\.yaml {2}library charts are not installable: /m,
    );
    expect(JSON.parse(json.out())).toEqual({
      ok: false,
      errors: [
        { code: 'CHART_NOT_INSTALLABLE', message: expect.stringContaining('library'), path: 'Chart.yaml' },
      ],
    });
    expect(renderer.requests).toEqual([]);
  });

  it('prints every refusal, its code and its message, in the report and in JSON', async () => {
    // Prepare: three faults in one archive, each with its own code.
    const file = join(scratch, 'many-1.0.0.tgz');
    await writeFile(
      file,
      await buildChart('many', '1.0.0', {
        'Chart.yaml':
          'apiVersion: v2\nname: many\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 1.2.3\n',
        'values.yaml': '- not\n- a map\n',
        'charts/stray/README.md': '# not a chart\n',
      }),
    );
    const text = captureIo();
    const json = captureIo();
    // Act
    await inspect(rendersFine()).run([file], text);
    await inspect(rendersFine()).run([file, '--json'], json);
    // Assess
    const errors = JSON.parse(json.out()).errors as { code: string; message: string }[];
    expect(errors.map((e) => e.code).sort()).toEqual([
      'CHART_DEPENDENCY_MISSING',
      'CHART_YAML_MISSING',
      'VALUES_INVALID',
    ]);
    const [header, ...lines] = text.out().trimEnd().split('\n');
    expect(header).toMatch(/: refused \((\w+, ){2}\w+\)$/);
    for (const error of errors) {
      expect(header).toContain(error.code);
      expect(lines.some((line) => line.startsWith(error.code) && line.endsWith(error.message))).toBe(true);
    }
  });

  it('prints a multi-line render message whole, continuation lines indented', async () => {
    // Prepare
    const renderer = stubRenderer({
      ok: false,
      refusal: refusal('RENDER_FAILED', 'first problem\nsecond problem'),
    });
    const io = captureIo();
    // Act
    await inspect(renderer).run([podinfo], io);
    // Assess
    expect(io.out()).toMatch(
      /: refused \(RENDER_FAILED\)\nRENDER_FAILED {2}- {2}first problem\n {4}second problem\n$/,
    );
  });

  it('does not render with --no-render', async () => {
    const renderer = rendersFine();
    const io = captureIo();
    expect(await inspect(renderer).run([podinfo, '--no-render'], io)).toBe(EXIT.ok);
    expect(renderer.requests).toEqual([]);
    expect(io.out()).toMatch(/render\s+skipped/);
  });

  it.each([
    ['a missing file', () => join(scratch, 'nope.tgz'), 'FILE_NOT_FOUND'],
    ['a directory', () => scratch, 'NOT_A_FILE'],
  ])('refuses %s as an environment error (exit 2)', async (_what, file, errorCode) => {
    const error = await inspect(rendersFine())
      .run([file()], captureIo())
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: errorCode, exitCode: EXIT.usage });
  });

  it('rejects an unknown option as a usage error', async () => {
    const error = await inspect(rendersFine())
      .run([podinfo, '--frob'], captureIo())
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'USAGE', exitCode: EXIT.usage });
  });
});
