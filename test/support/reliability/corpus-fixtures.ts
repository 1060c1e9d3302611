import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { buildArchive, type TarEntrySpec } from '../tar-fixtures';
import { ESCAPE_MARKER, type HostileCase, refuse, text } from './corpus-case';

/**
 * The real charts of test/fixtures/charts, mutated two ways: deliberate edits of their tar
 * entries (each with a known right answer), and seeded random mutations of their bytes (fuzz).
 */

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const FIXTURE_DIR = path.resolve(REPO_ROOT, 'test/fixtures/charts');

export interface Fixture {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly bytes: Uint8Array;
  readonly entries: readonly { readonly header: Header; readonly data: Uint8Array }[];
}

export const VALID_FIXTURES = [
  { file: 'podinfo-6.14.1.tgz', name: 'podinfo', version: '6.14.1' },
  { file: 'argo-rollouts-2.41.0.tgz', name: 'argo-rollouts', version: '2.41.0' },
  { file: 'argo-workflows-1.0.18.tgz', name: 'argo-workflows', version: '1.0.18' },
] as const;
export const MISSING_DEPENDENCY_FIXTURE = 'argo-cd-10.1.1-missing-dependency.tgz';

const readEntries = async (tgz: Uint8Array): Promise<Fixture['entries']> => {
  const entries: { header: Header; data: Uint8Array }[] = [];
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        entries.push({ header, data: Buffer.concat(chunks) });
        next();
      });
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  reader.end(gunzipSync(tgz));
  await done;
  return entries;
};

export const loadFixtures = async (): Promise<Fixture[]> =>
  Promise.all(
    VALID_FIXTURES.map(async ({ file, name, version }) => {
      const bytes = await readFile(path.join(FIXTURE_DIR, file));
      return { id: name, name, version, bytes, entries: await readEntries(bytes) };
    }),
  );

const toSpec = ({ header, data }: Fixture['entries'][number]): TarEntrySpec => ({
  name: header.name,
  type: header.type ?? 'file',
  ...(header.type === 'file' ? { data } : {}),
  ...(header.mode === undefined ? {} : { mode: header.mode }),
});

type Edit = (specs: TarEntrySpec[], fixture: Fixture) => TarEntrySpec[];

const decoder = new TextDecoder();
const editFile =
  (file: string, change: (content: string) => string): Edit =>
  (specs, fixture) =>
    specs.map((spec) =>
      spec.name === `${fixture.name}/${file}`
        ? { ...spec, data: text(change(decoder.decode(spec.data as Uint8Array))) }
        : spec,
    );

const MISSING = '  - name: zz-missing\n    version: 1.0.0\n';

/** apiVersion v1 charts list dependencies in requirements.yaml, v2 in Chart.yaml. */
const declareMissingDependency: Edit = (specs, fixture) => {
  const chart = decoder.decode(
    specs.find((s) => s.name === `${fixture.name}/Chart.yaml`)!.data as Uint8Array,
  );
  if (/^apiVersion: v1/m.test(chart)) {
    const requirements = specs.find((s) => s.name === `${fixture.name}/requirements.yaml`);
    return requirements
      ? editFile('requirements.yaml', (c) => c.replace(/^dependencies:\n/m, `dependencies:\n${MISSING}`))(
          specs,
          fixture,
        )
      : [...specs, { name: `${fixture.name}/requirements.yaml`, data: `dependencies:\n${MISSING}` }];
  }
  return editFile('Chart.yaml', (c) =>
    /^dependencies:/m.test(c)
      ? c.replace(/^dependencies:\n/m, `dependencies:\n${MISSING}`)
      : `${c.trimEnd()}\ndependencies:\n${MISSING}`,
  )(specs, fixture);
};

const M = ESCAPE_MARKER;
const EDITS: readonly [string, Edit, HostileCase['expect']][] = [
  ['repacked-unchanged', (specs) => specs, { refusedOrIdentical: '' }],
  ['inject-dot-dot', (specs) => [...specs, { name: `../${M}-fixture`, data: 'x' }], refuse('UNSAFE_PATH')],
  [
    'inject-symlink',
    (specs, f) => [...specs, { name: `${f.name}/templates/x`, type: 'symlink', linkname: '/etc/passwd' }],
    refuse('UNSAFE_ENTRY'),
  ],
  [
    'duplicate-chart-yaml',
    (specs, f) => [...specs, specs.find((s) => s.name === `${f.name}/Chart.yaml`)!],
    refuse('UNSAFE_PATH'),
  ],
  [
    'remove-chart-yaml',
    (specs, f) => specs.filter((s) => s.name !== `${f.name}/Chart.yaml`),
    refuse('CHART_YAML_MISSING'),
  ],
  [
    'version-v-prefixed',
    editFile('Chart.yaml', (c) => c.replace(/^version: .*$/m, 'version: v9')),
    refuse('CHART_VERSION_INVALID'),
  ],
  [
    'root-renamed',
    (specs, f) => specs.map((s) => ({ ...s, name: s.name.replace(`${f.name}/`, 'renamed/') })),
    refuse('CHART_NAME_INVALID'),
  ],
  ['values-a-list', editFile('values.yaml', () => '- a\n- b\n'), refuse('VALUES_INVALID')],
  ['file-beside-root', (specs) => [...specs, { name: `${M}-beside`, data: 'x' }], refuse('UNSAFE_PATH')],
  [
    'case-colliding-chart-yaml',
    (specs, f) => [...specs, { name: `${f.name}/CHART.yaml`, data: 'x: 1\n' }],
    refuse('UNSAFE_PATH'),
  ],
  [
    'nfc-nfd-pair',
    (specs, f) => [
      ...specs,
      { name: `${f.name}/files/\u00c5.txt`, data: 'a' },
      { name: `${f.name}/files/A\u030a.txt`, data: 'b' },
    ],
    refuse('UNSAFE_PATH'),
  ],
  [
    'undeclared-dependency',
    (specs, f) => declareMissingDependency(specs, f),
    refuse('CHART_DEPENDENCY_MISSING'),
  ],
];

export const fixtureMutationCases = (fixtures: readonly Fixture[], renderAll: boolean): HostileCase[] => {
  const cases: HostileCase[] = [];
  for (const fixture of fixtures) {
    const specs = fixture.entries.map(toSpec);
    const files = fixture.entries.filter((e) => e.header.type === 'file');
    const largest = Math.max(...files.map((e) => e.data.byteLength));
    for (const [id, edit, expect] of EDITS) {
      cases.push({
        id: `fixture/${fixture.id}/${id}`,
        group: 'fixture-mutation',
        input: () => buildArchive(edit([...specs], fixture), {}),
        expect: 'refusedOrIdentical' in expect ? { refusedOrIdentical: fixture.id } : expect,
      });
    }
    cases.push(
      {
        id: `fixture/${fixture.id}/as-published`,
        group: 'valid',
        render: renderAll || fixture.id === 'podinfo',
        input: () => fixture.bytes,
        expect: { accept: true, name: fixture.name, version: fixture.version },
      },
      {
        id: `fixture/${fixture.id}/tar-truncated`,
        group: 'fixture-mutation',
        input: () => {
          const tar = gunzipSync(fixture.bytes);
          return gzipSync(
            tar.subarray(
              0,
              Math.floor(tar.byteLength * 0.6) - (Math.floor(tar.byteLength * 0.6) % 512) + 100,
            ),
          );
        },
        expect: refuse('ARCHIVE_CORRUPT'),
      },
      {
        id: `fixture/${fixture.id}/file-limit-minus-one`,
        group: 'fixture-mutation',
        input: () => fixture.bytes,
        limits: { maxFileBytes: largest - 1 },
        expect: refuse('ARCHIVE_TOO_LARGE'),
      },
      {
        id: `fixture/${fixture.id}/entry-limit-minus-one`,
        group: 'fixture-mutation',
        input: () => fixture.bytes,
        limits: { maxEntries: fixture.entries.length - 1 },
        expect: refuse('ARCHIVE_TOO_LARGE'),
      },
      {
        id: `fixture/${fixture.id}/archive-limit-minus-one`,
        group: 'fixture-mutation',
        input: () => fixture.bytes,
        limits: { maxArchiveBytes: fixture.bytes.byteLength - 1 },
        expect: refuse('ARCHIVE_TOO_LARGE'),
      },
    );
  }
  cases.push({
    id: 'fixture/argo-cd-missing-dependency',
    group: 'refusal',
    input: () => readFile(path.join(FIXTURE_DIR, MISSING_DEPENDENCY_FIXTURE)),
    expect: refuse('CHART_DEPENDENCY_MISSING'),
  });
  return cases;
};
