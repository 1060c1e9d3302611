import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IntakeResult } from '../../../functions/chart/chart';
import { readChartArchive } from '../../../functions/chart/read-chart-archive';
import { REFUSAL_CODES } from '../../../functions/chart/refusal';
import { buildArchive, chartEntries, gunzip, gzip, type TarEntrySpec } from '../../support/tar-fixtures';

const fixtures = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)), 'test/fixtures/charts');
const TIME_BOUND_MS = 5_000;

/** Resolves to the result, or fails the property when intake throws or takes too long. */
const settle = async (archive: Uint8Array): Promise<IntakeResult> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${TIME_BOUND_MS} ms`)), TIME_BOUND_MS);
  });
  try {
    return await Promise.race([readChartArchive(archive), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

const wellFormed = (result: IntakeResult): boolean =>
  result.ok
    ? result.chart.files.length > 0 && /^sha256:[0-9a-f]{64}$/.test(result.chart.digest)
    : result.refusals.length > 0 &&
      result.refusals.every((r) => REFUSAL_CODES.includes(r.code) && r.message.length > 0);

type Mutation =
  | { kind: 'flip'; at: number; bits: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

const mutate = (data: Uint8Array, change: Mutation): Uint8Array => {
  const at = data.byteLength === 0 ? 0 : change.at % data.byteLength;
  if (change.kind === 'truncate') return data.subarray(0, at);
  if (change.kind === 'insert') return Buffer.concat([data.subarray(0, at), change.bytes, data.subarray(at)]);
  const copy = Uint8Array.from(data);
  copy[at] = (copy[at] ?? 0) ^ change.bits;
  return copy;
};

describe('readChartArchive on hostile input (properties)', () => {
  let podinfo: Uint8Array;
  let rollouts: Uint8Array;

  beforeAll(async () => {
    podinfo = await readFile(path.join(fixtures, 'podinfo-6.14.1.tgz'));
    rollouts = await readFile(path.join(fixtures, 'argo-rollouts-2.41.0.tgz'));
  });

  it('never throws and always answers with ok or known refusals for mutated compressed archives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (small, changes) => {
          const archive = changes.reduce(mutate, small ? podinfo : rollouts);
          expect(wellFormed(await settle(archive))).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never throws and always answers with ok or known refusals for mutated tar streams (re-gzipped)', async () => {
    const tar = gunzip(podinfo);
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (changes) => {
        const archive = gzip(changes.reduce(mutate, tar));
        expect(wellFormed(await settle(archive))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  const segment = fc.constantFrom(
    'demo',
    'Demo',
    '..',
    '.',
    '',
    'templates',
    'Chart.yaml',
    'values.yaml',
    'charts',
    'caf\u00e9',
    'cafe\u0301',
    'a\\b',
    'C:',
    '.git',
    'x\u0000y',
  );
  const entry: fc.Arbitrary<TarEntrySpec> = fc.record({
    name: fc.oneof(
      fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')),
      fc.string({ maxLength: 20 }),
    ),
    type: fc.constantFrom(
      'file',
      'file',
      'file',
      'directory',
      'symlink',
      'link',
      'fifo',
      'character-device',
      'block-device',
      'contiguous-file',
    ),
    data: fc.constantFrom('', 'apiVersion: v2\nname: demo\nversion: 1.0.0\n', 'a: 1\n', '- x\n', '{'),
    linkname: fc.constantFrom('../../etc/passwd', 'demo/values.yaml'),
  });

  it('never throws and always answers with ok or known refusals for random entry lists', async () => {
    await fc.assert(
      // Half the time the random entries follow a valid chart, so the chart-level checks get exercised too.
      fc.asyncProperty(fc.boolean(), fc.array(entry, { maxLength: 8 }), async (onValidChart, entries) => {
        let archive: Uint8Array;
        try {
          archive = await buildArchive(
            onValidChart ? [...chartEntries('demo', '1.0.0'), ...entries] : entries,
          );
        } catch {
          return; // tar-stream cannot encode this header at all; nothing to feed intake
        }
        expect(wellFormed(await settle(archive))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
