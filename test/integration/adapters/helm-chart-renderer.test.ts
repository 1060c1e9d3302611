import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFile } from '../../../functions/adapters/exec-file';
import { HelmChartRenderer, RENDERER_UNAVAILABLE } from '../../../functions/adapters/helm-chart-renderer';
import { layerBinaryPath } from '../../../functions/adapters/layer-binaries';
import type { Chart } from '../../../functions/chart/chart';
import { intakeChart } from '../../../functions/chart/intake';
import { PromoterError } from '../../../functions/errors';
import { buildChart } from '../../support/tar-fixtures';

const repoRoot = resolve(import.meta.dirname, '../../..');
const fixtures = resolve(repoRoot, 'test/fixtures/charts');

/** The renderer reads only the chart's name from the metadata; the archive is what helm sees. */
const chartNamed = (name: string, version = '0.1.0'): Chart => ({
  name,
  version,
  apiVersion: 'v2',
  type: 'application',
  annotations: {},
  dependencies: [],
  digest: 'sha256:0',
  archiveBytes: 0,
  bytes: 0,
  files: [],
});

const fixture = (file: string): Promise<Uint8Array> => readFile(join(fixtures, file));

let helmPath: string;
let scratch: string;

/** Packages a one-template chart with `helm package` (the way a team would build its upload). */
const packageChart = async (name: string, template: string, values = 'x: hello\n'): Promise<Uint8Array> => {
  const dir = join(scratch, `src-${name}`);
  await mkdir(join(dir, 'templates'), { recursive: true });
  await writeFile(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`);
  await writeFile(join(dir, 'values.yaml'), values);
  await writeFile(join(dir, 'templates', 'cm.yaml'), template);
  const home = join(scratch, `home-${name}`);
  const packaged = await runFile(helmPath, ['package', dir, '--destination', scratch], {
    env: { HOME: home, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home },
  });
  expect(packaged.exitCode, packaged.stderr).toBe(0);
  return readFile(join(scratch, `${name}-0.1.0.tgz`));
};

const configMap = (data: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n${data}`;

beforeAll(async () => {
  helmPath = await layerBinaryPath('helm');
  scratch = await mkdtemp(join(tmpdir(), 'helm-renderer-test-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('HelmChartRenderer (real helm 3)', () => {
  it('renders podinfo 6.14.1 into its manifests, lint INFO lines notwithstanding', async () => {
    // Prepare
    const renderer = new HelmChartRenderer({ helmPath });
    // Act
    const result = await renderer.render({
      archive: await fixture('podinfo-6.14.1.tgz'),
      chart: chartNamed('podinfo', '6.14.1'),
      namespace: 'apps',
    });
    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.manifests).toContain('kind: Deployment');
    expect(result.manifests).toContain('namespace: apps');
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('refuses argo-cd with a missing dependency, in helm’s own words', async () => {
    const renderer = new HelmChartRenderer({ helmPath });
    const result = await renderer.render({
      archive: await fixture('argo-cd-10.1.1-missing-dependency.tgz'),
      chart: chartNamed('argo-cd', '10.1.1'),
    });
    expect(result).toMatchObject({ ok: false, refusal: { code: 'RENDER_FAILED' } });
    if (result.ok) return;
    expect(result.refusal.message).toContain(
      'found in Chart.yaml, but missing in charts/ directory: redis-ha',
    );
    expect(result.refusal.message).not.toMatch(/^Error:|helm-lint|chart-promoter-helm-/m);
  });

  it('refuses a chart whose template calls an unknown function, naming the template', async () => {
    const archive = await packageChart('broken', configMap('  x: {{ .Values.x | nope }}\n'));
    const result = await new HelmChartRenderer({ helmPath }).render({ archive, chart: chartNamed('broken') });
    expect(result).toMatchObject({
      ok: false,
      refusal: { code: 'RENDER_FAILED', path: 'templates/cm.yaml' },
    });
    if (result.ok) return;
    expect(result.refusal.message).toContain('function "nope" not defined');
  });

  it('refuses a chart that lints but fails to template (a required value is missing)', async () => {
    const archive = await packageChart(
      'needs',
      configMap('  greeting: {{ required "greeting is required" .Values.greeting | quote }}\n'),
    );
    const renderer = new HelmChartRenderer({ helmPath });
    const refused = await renderer.render({ archive, chart: chartNamed('needs') });
    const rendered = await renderer.render({
      archive,
      chart: chartNamed('needs'),
      values: 'greeting: given\n',
    });
    expect(refused).toMatchObject({ ok: false, refusal: { code: 'RENDER_FAILED' } });
    if (refused.ok) return;
    expect(refused.refusal.message).toContain('greeting is required');
    expect(rendered.ok ? 'ok' : rendered.refusal.message).toBe('ok');
  });

  it('applies the release values over the chart defaults, and the release name', async () => {
    const archive = await packageChart('valued', configMap('  x: {{ .Values.x | quote }}\n'));
    const renderer = new HelmChartRenderer({ helmPath });
    const defaults = await renderer.render({ archive, chart: chartNamed('valued') });
    const overridden = await renderer.render({
      archive,
      chart: chartNamed('valued'),
      values: 'x: "from the HelmRelease"\n',
      releaseName: 'my-release',
    });
    expect(defaults.ok && defaults.manifests).toContain('x: "hello"');
    expect(overridden.ok && overridden.manifests).toContain('x: "from the HelmRelease"');
    expect(overridden.ok && overridden.manifests).toContain('name: my-release');
  });

  // Helm's loader skips charts/ entries named "_*" or ".*" (helm v3.17.2 pkg/chart/loader/load.go
  // L168-L173): https://github.com/helm/helm/blob/v3.17.2/pkg/chart/loader/load.go#L168-L173
  it('renders a chart whose charts/ holds .gitkeep and a "_" folder, which intake accepts as helm does', async () => {
    // Prepare
    const archive = await buildChart('keeps', '0.1.0', {
      'charts/.gitkeep': '',
      'charts/_parked/README.md': '# not a chart\n',
    });
    const renderer = new HelmChartRenderer({ helmPath });
    // Act
    const rendered = await renderer.render({ archive, chart: chartNamed('keeps') });
    const intake = await intakeChart(archive, { renderer });
    // Assess
    expect(rendered.ok ? 'ok' : rendered.refusal.message).toBe('ok');
    expect(intake.ok ? 'ok' : intake.refusals).toBe('ok');
  });

  // helm v3.17.2 cmd/helm/install.go L320-L329 (checkIfInstallable: only "" and "application" are
  // installable), which `helm template` runs too:
  // https://github.com/helm/helm/blob/v3.17.2/cmd/helm/install.go#L320-L329
  it('shows helm refusing a library chart, which intake refuses first as CHART_NOT_INSTALLABLE', async () => {
    // Prepare
    const archive = await buildChart('lib', '0.1.0', {
      'Chart.yaml': 'apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n',
      'templates/configmap.yaml': null,
      'templates/_helpers.tpl': '{{- define "lib.name" -}}lib{{- end -}}\n',
    });
    const renderer = new HelmChartRenderer({ helmPath });
    // Act
    const rendered = await renderer.render({ archive, chart: chartNamed('lib') });
    const intake = await intakeChart(archive, { renderer });
    // Assess
    expect(rendered).toMatchObject({
      ok: false,
      refusal: { code: 'RENDER_FAILED', message: 'library charts are not installable' },
    });
    expect(intake).toMatchObject({ ok: false, refusals: [{ code: 'CHART_NOT_INSTALLABLE' }] });
  });

  it('refuses output larger than the limit instead of buffering it', async () => {
    const archive = await packageChart('big', configMap('  x: {{ repeat 5000 "x" | quote }}\n'));
    const renderer = new HelmChartRenderer({ helmPath, maxOutputBytes: 1000 });
    const result = await renderer.render({ archive, chart: chartNamed('big') });
    expect(result).toMatchObject({ ok: false, refusal: { code: 'RENDER_FAILED' } });
  });

  it('throws a retryable RENDERER_UNAVAILABLE when helm cannot start, and cleans up', async () => {
    const tempDir = await mkdtemp(join(scratch, 'temp-'));
    const renderer = new HelmChartRenderer({ helmPath: join(scratch, 'no-such-helm'), tempDir });
    const act = renderer.render({
      archive: await fixture('podinfo-6.14.1.tgz'),
      chart: chartNamed('podinfo'),
    });
    const error = await act.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(PromoterError);
    expect(error).toMatchObject({ code: RENDERER_UNAVAILABLE, disposition: 'retryable' });
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('throws a retryable RENDERER_UNAVAILABLE when helm exceeds its timeout', async () => {
    // A "helm" that hangs, as a wedged binary would.
    const hanging = join(scratch, 'hanging-helm');
    await writeFile(hanging, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const renderer = new HelmChartRenderer({ helmPath: hanging, timeoutMs: 300 });
    const started = performance.now();
    const error = await renderer
      .render({ archive: await fixture('podinfo-6.14.1.tgz'), chart: chartNamed('podinfo') })
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: RENDERER_UNAVAILABLE, disposition: 'retryable' });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('leaves no temp files behind after a render', async () => {
    const tempDir = await mkdtemp(join(scratch, 'temp-'));
    await new HelmChartRenderer({ helmPath, tempDir }).render({
      archive: await fixture('podinfo-6.14.1.tgz'),
      chart: chartNamed('podinfo'),
      values: 'replicaCount: 2\n',
    });
    expect(await readdir(tempDir)).toEqual([]);
  });
});
