import { buildChart } from '../tar-fixtures';
import {
  chartYaml,
  demoArchive,
  demoWith,
  ESCAPE_MARKER,
  type HostileCase,
  refuse,
  text,
  withEntries,
} from './corpus-case';

/**
 * Chart-level refusals (Chart.yaml, name, version, dependencies, values, schema, rendering) and
 * combinations of several faults in one archive. Helm's rules are the reference:
 * https://helm.sh/docs/topics/charts/ (Chart.yaml, dependencies, values schema).
 */

const M = ESCAPE_MARKER;
const chartYamlCase = (id: string, yaml: string, code: Parameters<typeof refuse>[0]): HostileCase => ({
  id,
  group: 'refusal',
  input: demoWith({ 'Chart.yaml': yaml }),
  expect: refuse(code),
});

const chartYamlCases = (): HostileCase[] => [
  {
    id: 'chart-yaml-missing/absent',
    group: 'refusal',
    input: demoWith({ 'Chart.yaml': null }),
    expect: refuse('CHART_YAML_MISSING'),
  },
  {
    id: 'chart-yaml-missing/lower-case',
    group: 'refusal',
    input: demoWith({ 'Chart.yaml': null, 'chart.yaml': chartYaml({}) }),
    expect: refuse('CHART_YAML_MISSING'),
  },
  {
    id: 'chart-yaml-missing/yml-extension',
    group: 'refusal',
    input: demoWith({ 'Chart.yaml': null, 'Chart.yml': chartYaml({}) }),
    expect: refuse('CHART_YAML_MISSING'),
  },
  {
    id: 'chart-yaml-missing/only-in-subdirectory',
    group: 'refusal',
    input: demoWith({ 'Chart.yaml': null, 'templates/Chart.yaml': chartYaml({}) }),
    expect: refuse('CHART_YAML_MISSING'),
  },
  chartYamlCase('chart-yaml-invalid/not-yaml', 'name: [demo\nversion: {', 'CHART_YAML_INVALID'),
  chartYamlCase('chart-yaml-invalid/a-list', '- name: demo\n- version: 1.0.0\n', 'CHART_YAML_INVALID'),
  chartYamlCase('chart-yaml-invalid/a-scalar', 'demo\n', 'CHART_YAML_INVALID'),
  chartYamlCase('chart-yaml-invalid/empty', '', 'CHART_YAML_INVALID'),
  chartYamlCase('chart-yaml-invalid/api-v3', chartYaml({ apiVersion: 'v3' }), 'CHART_YAML_INVALID'),
  chartYamlCase(
    'chart-yaml-invalid/dependencies-not-list',
    chartYaml({ dependencies: 'redis' }),
    'CHART_YAML_INVALID',
  ),
  // Duplicate keys: last wins, as in Helm's YAML reader (go-yaml v2), so both read the same chart.
  chartYamlCase(
    'chart-name-invalid/duplicate-key-last-wins',
    `${chartYaml({})}name: other\n`,
    'CHART_NAME_INVALID',
  ),
  chartYamlCase(
    'chart-yaml-invalid/alias-bomb',
    `${chartYaml({})}a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from(
      { length: 12 },
      (_, i) =>
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
    ).join('\n')}\n`,
    'CHART_YAML_INVALID',
  ),
  chartYamlCase(
    'chart-yaml-invalid/deep-nesting',
    `${chartYaml({})}x: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
    'CHART_YAML_INVALID',
  ),
  {
    id: 'chart-yaml-invalid/invalid-utf8',
    group: 'refusal',
    input: demoWith({
      'Chart.yaml': Uint8Array.from([...text(chartYaml({})), 0x64, 0x3a, 0x20, 0xff, 0xfe, 0x0a]),
    }),
    expect: refuse('CHART_YAML_INVALID'),
  },
  chartYamlCase('chart-name-invalid/upper-case', chartYaml({ name: 'Demo' }), 'CHART_NAME_INVALID'),
  chartYamlCase('chart-name-invalid/underscore', chartYaml({ name: 'demo_chart' }), 'CHART_NAME_INVALID'),
  chartYamlCase('chart-name-invalid/leading-dash', chartYaml({ name: '-demo' }), 'CHART_NAME_INVALID'),
  chartYamlCase('chart-name-invalid/64-chars', chartYaml({ name: 'd'.repeat(64) }), 'CHART_NAME_INVALID'),
  chartYamlCase('chart-name-invalid/path-escape', chartYaml({ name: `../${M}` }), 'CHART_NAME_INVALID'),
  chartYamlCase(
    'chart-name-invalid/differs-from-directory',
    chartYaml({ name: 'other' }),
    'CHART_NAME_INVALID',
  ),
  chartYamlCase('chart-version-invalid/v-prefix', chartYaml({ version: 'v1.0.0' }), 'CHART_VERSION_INVALID'),
  chartYamlCase('chart-version-invalid/two-parts', chartYaml({ version: '"1.0"' }), 'CHART_VERSION_INVALID'),
  chartYamlCase(
    'chart-version-invalid/leading-zero',
    chartYaml({ version: '01.0.0' }),
    'CHART_VERSION_INVALID',
  ),
  chartYamlCase('chart-version-invalid/latest', chartYaml({ version: 'latest' }), 'CHART_VERSION_INVALID'),
  chartYamlCase('chart-version-invalid/yaml-float', chartYaml({ version: '1.0' }), 'CHART_VERSION_INVALID'),
  chartYamlCase(
    'chart-version-invalid/path-escape',
    chartYaml({ version: `"1.0.0/../../${M}"` }),
    'CHART_VERSION_INVALID',
  ),
  chartYamlCase('chart-yaml-invalid/version-missing', 'apiVersion: v2\nname: demo\n', 'CHART_YAML_INVALID'),
  chartYamlCase('chart-yaml-invalid/name-missing', 'apiVersion: v2\nversion: 1.0.0\n', 'CHART_YAML_INVALID'),
  // helm v3.17.2 cmd/helm/install.go L320-L329: only application charts are installable.
  {
    id: 'chart-not-installable/library',
    group: 'refusal',
    input: demoWith({
      'Chart.yaml': chartYaml({ type: 'library' }),
      'templates/configmap.yaml': null,
      'templates/_h.tpl': '{{- define "x" }}{{ end }}\n',
    }),
    expect: refuse('CHART_NOT_INSTALLABLE'),
  },
];

const dependencyAndValues = (): HostileCase[] => [
  {
    id: 'dependency-missing/v2-not-vendored',
    group: 'refusal',
    input: demoWith({ 'Chart.yaml': chartYaml({ dependencies: '\n  - name: redis\n    version: 1.0.0' }) }),
    expect: refuse('CHART_DEPENDENCY_MISSING'),
  },
  {
    id: 'dependency-missing/v1-requirements',
    group: 'refusal',
    input: demoWith({
      'Chart.yaml': chartYaml({ apiVersion: 'v1' }),
      'requirements.yaml': 'dependencies:\n  - name: redis\n    version: 1.0.0\n',
    }),
    expect: refuse('CHART_DEPENDENCY_MISSING'),
  },
  {
    id: 'dependency-missing/vendored-under-another-name',
    group: 'refusal',
    input: async () =>
      demoArchive({
        'Chart.yaml': chartYaml({ dependencies: '\n  - name: redis\n    version: 1.0.0' }),
        'charts/redis-1.0.0.tgz': await buildChart('memcached', '1.0.0'),
      }),
    expect: refuse('CHART_DEPENDENCY_MISSING'),
  },
  {
    id: 'values-invalid/a-list',
    group: 'refusal',
    input: demoWith({ 'values.yaml': '- a\n- b\n' }),
    expect: refuse('VALUES_INVALID'),
  },
  {
    id: 'values-invalid/a-scalar',
    group: 'refusal',
    input: demoWith({ 'values.yaml': 'just text\n' }),
    expect: refuse('VALUES_INVALID'),
  },
  {
    id: 'values-invalid/not-yaml',
    group: 'refusal',
    input: demoWith({ 'values.yaml': 'a: [1, 2\nb: }' }),
    expect: refuse('VALUES_INVALID'),
  },
  {
    id: 'values-invalid/invalid-utf8',
    group: 'refusal',
    input: demoWith({ 'values.yaml': Uint8Array.from([0x61, 0x3a, 0x20, 0xc3, 0x28, 0x0a]) }),
    expect: refuse('VALUES_INVALID'),
  },
  {
    id: 'values-invalid/alias-bomb',
    group: 'refusal',
    input: demoWith({
      'values.yaml': `a: &a [x,x,x,x,x,x,x,x,x,x]\n${Array.from({ length: 10 }, (_, i) => `l${i}: &l${i} [${`*${i === 0 ? 'a' : `l${i - 1}`},`.repeat(10).slice(0, -1)}]`).join('\n')}\n`,
    }),
    expect: refuse('VALUES_INVALID'),
  },
  {
    id: 'values-schema/required-missing',
    group: 'refusal',
    input: demoWith({ 'values.schema.json': '{"type":"object","required":["image","port"]}' }),
    expect: refuse('VALUES_SCHEMA_VIOLATION'),
  },
  {
    id: 'values-schema/type-mismatch',
    group: 'refusal',
    input: demoWith({ 'values.schema.json': '{"properties":{"replicaCount":{"type":"string"}}}' }),
    expect: refuse('VALUES_SCHEMA_VIOLATION'),
  },
  {
    id: 'values-schema/not-json',
    group: 'refusal',
    input: demoWith({ 'values.schema.json': '{ type: object' }),
    expect: refuse('VALUES_SCHEMA_VIOLATION'),
  },
  {
    id: 'values-schema/remote-ref',
    group: 'refusal',
    input: demoWith({ 'values.schema.json': '{"$ref":"https://example.invalid/schema.json"}' }),
    expect: refuse('VALUES_SCHEMA_VIOLATION'),
  },
  {
    id: 'values-schema/false',
    group: 'refusal',
    input: demoWith({ 'values.schema.json': 'false' }),
    expect: refuse('VALUES_SCHEMA_VIOLATION'),
  },
];

const renderFailed = (): HostileCase[] => [
  {
    id: 'render-failed/template-syntax',
    group: 'refusal',
    render: true,
    input: demoWith({ 'templates/broken.yaml': 'kind: {{ .Values.replicaCount \n' }),
    expect: refuse('RENDER_FAILED'),
  },
  {
    id: 'render-failed/fail-function',
    group: 'refusal',
    render: true,
    input: demoWith({ 'templates/fail.yaml': '{{ fail "refuse me" }}\n' }),
    expect: refuse('RENDER_FAILED'),
  },
  {
    id: 'render-failed/required-value',
    group: 'refusal',
    render: true,
    input: demoWith({
      'templates/req.yaml': 'a: {{ required "db.password is required" .Values.db.password }}\n',
    }),
    expect: refuse('RENDER_FAILED'),
  },
];

const combinations = (): HostileCase[] => [
  {
    id: 'combo/symlink-and-dot-dot',
    group: 'combination',
    input: withEntries(
      { name: 'demo/templates/l', type: 'symlink', linkname: '/etc/passwd' },
      { name: `demo/../${M}-combo.txt`, data: 'x' },
    ),
    expect: refuse('UNSAFE_ENTRY', 'UNSAFE_PATH'),
  },
  {
    id: 'combo/unsafe-path-then-oversize-file',
    group: 'combination',
    input: withEntries(
      { name: `../${M}-x`, data: 'x' },
      { name: 'demo/files/big', data: new Uint8Array(6 * 1024 * 1024) },
    ),
    expect: refuse('UNSAFE_PATH', 'ARCHIVE_TOO_LARGE'),
  },
  {
    id: 'combo/name-and-version',
    group: 'combination',
    input: demoWith({ 'Chart.yaml': chartYaml({ name: 'Bad_Name', version: 'v1' }) }),
    expect: refuse('CHART_NAME_INVALID', 'CHART_VERSION_INVALID'),
  },
  {
    id: 'combo/dependency-and-schema',
    group: 'combination',
    input: demoWith({
      'Chart.yaml': chartYaml({ dependencies: '\n  - name: redis\n    version: 1.0.0' }),
      'values.schema.json': '{"required":["nope"]}',
    }),
    expect: refuse('VALUES_SCHEMA_VIOLATION', 'CHART_DEPENDENCY_MISSING'),
  },
  {
    id: 'combo/values-and-version',
    group: 'combination',
    input: demoWith({ 'Chart.yaml': chartYaml({ version: 'latest' }), 'values.yaml': '- x\n' }),
    expect: refuse('CHART_VERSION_INVALID', 'VALUES_INVALID'),
  },
  {
    id: 'combo/duplicate-and-case-collision',
    group: 'combination',
    input: withEntries(
      { name: 'demo/Chart.yaml', data: chartYaml({}) },
      { name: 'demo/VALUES.yaml', data: 'a: 1\n' },
    ),
    expect: refuse('UNSAFE_PATH'),
  },
  {
    id: 'combo/device-fifo-link',
    group: 'combination',
    input: withEntries(
      { name: 'demo/a', type: 'fifo' },
      { name: 'demo/b', type: 'character-device' },
      { name: 'demo/c', type: 'link', linkname: 'demo/Chart.yaml' },
    ),
    expect: refuse('UNSAFE_ENTRY'),
  },
  {
    id: 'combo/many-refusals-capped',
    group: 'combination',
    input: withEntries(...Array.from({ length: 200 }, (_, i) => ({ name: `../${M}-${i}`, data: 'x' }))),
    expect: refuse('UNSAFE_PATH'),
  },
];

export const chartRefusalCases = (): HostileCase[] => [
  ...chartYamlCases(),
  ...dependencyAndValues(),
  ...renderFailed(),
  ...combinations(),
];
