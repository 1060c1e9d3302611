import { gunzipSync, gzipSync } from 'node:zlib';
import { demoArchive, ESCAPE_MARKER, type HostileCase, seededRandom, text } from './corpus-case';
import type { Fixture } from './corpus-fixtures';

/**
 * Seeded random mutations of the real fixtures (and the demo chart): of the compressed bytes, of
 * the tar headers with their checksums left wrong, and of the tar headers rewritten with repaired
 * checksums (well-formed archives whose meaning changed). The same seed gives the same corpus.
 */

const M = ESCAPE_MARKER;
const decoder = new TextDecoder();

/** Offsets of the header blocks of an uncompressed tar (walking sizes; stops at the end marker). */
const headerOffsets = (tar: Uint8Array): number[] => {
  const offsets: number[] = [];
  for (let offset = 0; offset + 512 <= tar.byteLength; ) {
    if (tar.subarray(offset, offset + 512).every((b) => b === 0)) break;
    offsets.push(offset);
    const size =
      Number.parseInt(
        decoder
          .decode(tar.subarray(offset + 124, offset + 136))
          .replace(/\0.*$/s, '')
          .trim(),
        8,
      ) || 0;
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return offsets;
};

const repairChecksum = (tar: Uint8Array, offset: number): void => {
  tar.fill(0x20, offset + 148, offset + 156);
  let sum = 0;
  for (let i = offset; i < offset + 512; i += 1) sum += tar[i]!;
  tar.set(text(`${sum.toString(8).padStart(6, '0')}\0 `), offset + 148);
};

const NASTY_NAMES = ['../', '/etc/', `${M}/../../`, 'a/./', '.git/', 'C:\\', 'x\n', '\u212a', '//'];
const TYPEFLAGS = '0125673LKSgxZ\0';

type Mutator = (bytes: Uint8Array, random: () => number) => Uint8Array;
const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!;
const at = (length: number, random: () => number) => Math.floor(random() * length);

/** Mutations of the compressed bytes: a mutation is caught (CRC, framing) or harmless (header fields). */
const COMPRESSED: readonly [string, Mutator][] = [
  [
    'flip-bit',
    (b, r) => {
      const out = Uint8Array.from(b);
      const i = at(out.length, r);
      out[i] = out[i]! ^ (1 << at(8, r));
      return out;
    },
  ],
  ['truncate', (b, r) => b.subarray(0, at(b.length, r))],
  [
    'overwrite-range',
    (b, r) => {
      const out = Uint8Array.from(b);
      const i = at(out.length, r);
      for (let j = i; j < Math.min(out.length, i + 1 + at(64, r)); j += 1) out[j] = at(256, r);
      return out;
    },
  ],
  [
    'insert-bytes',
    (b, r) => {
      const i = at(b.length, r);
      return Buffer.concat([
        b.subarray(0, i),
        Uint8Array.from({ length: 1 + at(32, r) }, () => at(256, r)),
        b.subarray(i),
      ]);
    },
  ],
  [
    'append-garbage',
    (b, r) => Buffer.concat([b, Uint8Array.from({ length: 1 + at(600, r) }, () => at(256, r))]),
  ],
];

/** Mutations of tar headers inside the gzip, checksum left alone: tar-stream must notice. */
const headerFlip: Mutator = (b, r) => {
  const tar = Uint8Array.from(gunzipSync(b));
  const offset = pick(headerOffsets(tar), r);
  const i = offset + at(512, r);
  tar[i] = tar[i]! ^ (1 << at(8, r));
  return gzipSync(tar);
};

/** Well-formed but rewritten headers (checksum repaired): meaning changes, safety must not. */
const headerRewrite: Mutator = (b, r) => {
  const tar = Uint8Array.from(gunzipSync(b));
  const offset = pick(headerOffsets(tar), r);
  const field = at(4, r);
  if (field === 0) {
    const name = `${pick(NASTY_NAMES, r)}${pick(NASTY_NAMES, r)}x`;
    tar.fill(0, offset, offset + 100);
    tar.set(text(name).subarray(0, 100), offset);
  } else if (field === 1) {
    tar[offset + 156] = TYPEFLAGS.charCodeAt(at(TYPEFLAGS.length, r));
  } else if (field === 2) {
    tar.set(
      text(
        `${at(2 ** 30, r)
          .toString(8)
          .padStart(11, '0')}\0`,
      ),
      offset + 124,
    );
  } else {
    tar.fill(0, offset + 157, offset + 257);
    tar.set(text(`${pick(NASTY_NAMES, r)}etc/passwd`), offset + 157);
  }
  repairChecksum(tar, offset);
  return gzipSync(tar);
};

export const fuzzCases = async (
  fixtures: readonly Fixture[],
  perSource: number,
  seed: number,
): Promise<HostileCase[]> => {
  const sources = [
    ...fixtures.map((f) => ({ id: f.id, bytes: f.bytes })),
    { id: 'demo', bytes: await demoArchive() },
  ];
  const cases: HostileCase[] = [];
  sources.forEach((source, s) => {
    for (let n = 0; n < perSource; n += 1) {
      // One generator per case: the case's bytes do not depend on which cases ran before it.
      const random = seededRandom(seed + s * 1_000_003 + n * 7919);
      const roll = random();
      const [kind, mutate, safeOnly]: [string, Mutator, boolean] =
        roll < 0.6
          ? [...pick(COMPRESSED, random), false]
          : roll < 0.8
            ? ['tar-header-flip', headerFlip, false]
            : ['tar-header-rewrite', headerRewrite, true];
      cases.push({
        id: `fuzz/${source.id}/${n}-${kind}`,
        group: 'fuzz',
        input: () => mutate(source.bytes, random),
        expect: safeOnly ? { refusedOrSafe: true } : { refusedOrIdentical: source.id },
      });
    }
  });
  return cases;
};
