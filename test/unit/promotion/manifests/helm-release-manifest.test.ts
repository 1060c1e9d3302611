import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  RUN_ID_ANNOTATION,
  readHelmRelease,
  retargetHelmRelease,
} from '../../../../functions/promotion/manifests/helm-release-manifest';

const target = (version: string, runId: string) => ({ chartPath: `./charts/web/${version}`, version, runId });

// A human-edited release: comments, quoting, 4-space indentation, odd key order, flow-style bits.
const humanRelease = (chartLine: string, versionLine: string, annotationLines: string): string => `---
# Our web frontend. Ask #team-web before touching values.
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  namespace: web   # not the environment name, on purpose
  name: "web"
  labels: {team: web, tier: frontend}
${annotationLines}spec:
    # 4-space indentation on purpose
    chart:
        spec:
            sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
${chartLine}
${versionLine}
            reconcileStrategy: ChartVersion
    interval: 5m
    values:
        replicas: 3
        image: {repository: ghcr.io/acme/web, tag: "2024.1"}
        hosts:
        - web.example.com   # prod-like

        - www.example.com
        empty: ~
    upgrade:
        remediation: {retries: 5}
`;

const chartLine = (version: string) =>
  `            chart: './charts/web/${version}'   # moved by chart-promoter`;
const versionLine = (version: string) => `            version: "${version}"`;

describe('retargetHelmRelease', () => {
  it('keeps every human byte across five promotions; only the chart path, version and run id change', () => {
    // Prepare
    const original = humanRelease(chartLine('1.0.0'), versionLine('1.0.0'), '');
    const versions = ['1.1.0', '1.2.0', '2.0.0-rc.1', '2.0.0', '2.0.1'];
    // Act
    let text = original;
    const results: string[] = [];
    for (const [i, version] of versions.entries()) {
      const edit = retargetHelmRelease(text, target(version, `run-${i}`));
      if (!edit.ok) throw new Error(edit.message);
      text = edit.text;
      results.push(text);
    }
    // Assess: each result is exactly the human file with those lines swapped (annotations added once).
    results.forEach((result, i) => {
      const version = versions[i]!;
      const annotations = `  annotations:\n    ${RUN_ID_ANNOTATION}: run-${i}\n`;
      expect(result).toBe(humanRelease(chartLine(version), versionLine(version), annotations));
    });
    const lines = (s: string) => new Set(s.split('\n'));
    const originalLines = lines(original);
    const changed = [...lines(results[0]!)].filter((line) => !originalLines.has(line));
    expect(changed).toEqual([
      '  annotations:',
      `    ${RUN_ID_ANNOTATION}: run-0`,
      chartLine('1.1.0'),
      versionLine('1.1.0'),
    ]);
  });

  it('replaces an existing run-id and adds one next to other annotations, in block and flow style', () => {
    // Prepare
    const block = humanRelease(
      chartLine('1.0.0'),
      versionLine('1.0.0'),
      `  annotations:\n    owner: team-web # who to call\n    ${RUN_ID_ANNOTATION}: "old"\n`,
    );
    const flow = humanRelease(chartLine('1.0.0'), versionLine('1.0.0'), '  annotations: {owner: team-web}\n');
    // Act
    const blockEdit = retargetHelmRelease(block, target('1.1.0', '12345'));
    const flowEdit = retargetHelmRelease(flow, target('1.1.0', 'run,7'));
    // Assess
    expect(blockEdit.ok && blockEdit.text).toBe(
      humanRelease(
        chartLine('1.1.0'),
        versionLine('1.1.0'),
        `  annotations:\n    owner: team-web # who to call\n    ${RUN_ID_ANNOTATION}: "12345"\n`,
      ),
    );
    expect(flowEdit.ok && flowEdit.text).toBe(
      humanRelease(
        chartLine('1.1.0'),
        versionLine('1.1.0'),
        `  annotations: {owner: team-web, ${RUN_ID_ANNOTATION}: "run,7"}\n`,
      ),
    );
    expect(flowEdit.ok && parse(flowEdit.text).metadata.annotations[RUN_ID_ANNOTATION]).toBe('run,7');
  });

  it('edits a release written entirely in flow style and without a version field', () => {
    // Prepare
    const text =
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web}\n' +
      'spec: {interval: 1m, chart: {spec: {chart: ./charts/web/1.0.0, sourceRef: {kind: GitRepository, name: repo}}}}\n';
    // Act
    const edit = retargetHelmRelease(text, target('1.1.0', 'r1'));
    // Assess
    expect(edit.ok && edit.text).toBe(
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, annotations: {${RUN_ID_ANNOTATION}: r1}}\n` +
        'spec: {interval: 1m, chart: {spec: {chart: ./charts/web/1.1.0, sourceRef: {kind: GitRepository, name: repo}}}}\n',
    );
  });

  it.each([
    ['unparseable YAML', 'spec: [\n', /not valid YAML/],
    ['another kind', 'apiVersion: apps/v1\nkind: Deployment\n', /apiVersion is apps\/v1/],
    [
      'an older API version',
      'apiVersion: helm.toolkit.fluxcd.io/v2beta1\nkind: HelmRelease\n',
      /expected helm.toolkit.fluxcd.io\/v2/,
    ],
    [
      'a chartRef release',
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: a}\nspec: {chartRef: {kind: OCIRepository, name: a}}\n',
      /chartRef/,
    ],
    [
      'a HelmRepository source',
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: a}\nspec: {chart: {spec: {chart: a, sourceRef: {kind: HelmRepository, name: r}}}}\n',
      /GitRepository/,
    ],
    ['two documents', 'apiVersion: v1\n---\napiVersion: v1\n', /exactly one YAML document/],
    ['an empty file', '', /exactly one YAML document/],
  ])('refuses %s', (_name, text, message) => {
    // Act
    const read = readHelmRelease(text);
    const edit = retargetHelmRelease(text, target('1.0.0', 'r'));
    // Assess
    expect(read.ok).toBe(false);
    expect(!edit.ok && edit.message).toMatch(message);
  });
});

describe('retargetHelmRelease and CRD policies', () => {
  // New releases get CreateReplace (flux-schema.test.ts); what a human wrote in an existing one stays.
  it('keeps the CRD policies a human wrote, and adds none to a release that has none', () => {
    // Prepare
    const bare = humanRelease(chartLine('1.0.0'), versionLine('1.0.0'), '');
    const withPolicies = bare.replace(
      '    upgrade:\n',
      '    install: {crds: Create}\n    upgrade:\n        crds: Skip # we apply CRDs ourselves\n',
    );
    // Act
    const kept = retargetHelmRelease(withPolicies, target('1.1.0', 'run-2'));
    const untouched = retargetHelmRelease(bare, target('1.1.0', 'run-2'));
    // Assess
    expect(kept.ok && kept.text).toContain('        crds: Skip # we apply CRDs ourselves\n');
    expect(kept.ok && parse(kept.text).spec).toMatchObject({
      install: { crds: 'Create' },
      upgrade: { crds: 'Skip' },
    });
    expect(untouched.ok && untouched.text).not.toContain('crds');
  });
});
