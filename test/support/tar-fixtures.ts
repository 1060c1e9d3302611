import { constants, crc32, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { type Header, pack } from 'tar-stream';

/**
 * Builders for chart archives, honest and hostile, made in memory with tar-stream + zlib so every test
 * shows the exact bytes it feeds to intake. Shared by the chart tests and anyone else who needs a .tgz.
 */

export interface TarEntrySpec {
  /** Written as given: `../x`, `/etc/passwd`, `a\\b` and friends are the point. */
  readonly name: string;
  /** Defaults to `file`. */
  readonly type?: Header['type'];
  readonly data?: string | Uint8Array;
  readonly linkname?: string;
  readonly mode?: number;
  /**
   * Extra PAX records. Giving any (even `{}`) forces a PAX header, which is how a name containing a
   * NUL byte or a very long name reaches the reader intact.
   */
  readonly pax?: Readonly<Record<string, string>>;
}

const MTIME = new Date('2026-01-01T00:00:00Z');

const toBytes = (data: string | Uint8Array | undefined): Uint8Array | undefined =>
  typeof data === 'string' ? new TextEncoder().encode(data) : data;

const collect = async (readable: AsyncIterable<Uint8Array>): Promise<Uint8Array> => {
  const chunks: Uint8Array[] = [];
  for await (const chunk of readable) chunks.push(chunk);
  return Buffer.concat(chunks);
};

/** An uncompressed tar of `entries`, in order (duplicates and all). */
export const buildTar = async (entries: readonly TarEntrySpec[]): Promise<Uint8Array> => {
  const packer = pack();
  const done = collect(packer as unknown as AsyncIterable<Uint8Array>);
  for (const spec of entries) {
    const type = spec.type ?? 'file';
    const data =
      type === 'file' || type === 'contiguous-file' ? (toBytes(spec.data) ?? new Uint8Array()) : undefined;
    const header = {
      name: spec.name,
      type,
      mtime: MTIME,
      ...(spec.mode !== undefined && { mode: spec.mode }),
      ...(spec.linkname !== undefined && { linkname: spec.linkname }),
      ...(spec.pax !== undefined && { pax: spec.pax }),
    };
    await new Promise<void>((resolve, reject) => {
      const onDone = (error?: Error | null) => (error ? reject(error) : resolve());
      if (data === undefined) packer.entry(header, onDone);
      else packer.entry(header, data, onDone);
    });
  }
  packer.finalize();
  return done;
};

/** A tar of `entries`, gzip-compressed unless `gzip: false`. */
export const buildArchive = async (
  entries: readonly TarEntrySpec[],
  options: { readonly gzip?: boolean } = {},
): Promise<Uint8Array> => {
  const tar = await buildTar(entries);
  return options.gzip === false ? tar : gzipSync(tar);
};

export const gzip = (data: Uint8Array): Uint8Array => gzipSync(data);
export const gunzip = (data: Uint8Array): Uint8Array => gunzipSync(data);

export interface ChartEntriesOptions {
  /** Top-level directory; defaults to the chart name. */
  readonly root?: string;
  /** Replaces the generated Chart.yaml text. */
  readonly chartYaml?: string;
  readonly apiVersion?: 'v1' | 'v2';
}

/**
 * The entries of a small valid chart `<root>/{Chart.yaml,values.yaml,templates/configmap.yaml}`.
 * `extraFiles` (paths relative to the chart root) are added or replace defaults; `null` removes one.
 */
export const chartEntries = (
  name: string,
  version: string,
  extraFiles: Readonly<Record<string, string | Uint8Array | null>> = {},
  options: ChartEntriesOptions = {},
): TarEntrySpec[] => {
  const root = options.root ?? name;
  const files: Record<string, string | Uint8Array | null> = {
    'Chart.yaml':
      options.chartYaml ??
      `apiVersion: ${options.apiVersion ?? 'v2'}\nname: ${name}\nversion: ${version}\nappVersion: "1.0.0"\ndescription: A test chart\n`,
    'values.yaml': 'replicaCount: 1\nimage:\n  repository: nginx\n  tag: "1.27"\n',
    'templates/configmap.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  replicas: "{{ .Values.replicaCount }}"\n',
    ...extraFiles,
  };
  const entries: TarEntrySpec[] = [{ name: `${root}/`, type: 'directory' }];
  for (const [path, data] of Object.entries(files)) {
    if (data !== null) entries.push({ name: `${root}/${path}`, data });
  }
  return entries;
};

/** A whole valid chart archive (see chartEntries). */
export const buildChart = (
  name: string,
  version: string,
  extraFiles: Readonly<Record<string, string | Uint8Array | null>> = {},
  options: ChartEntriesOptions = {},
): Promise<Uint8Array> => buildArchive(chartEntries(name, version, extraFiles, options));

export interface GzipBomb {
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Compressed bytes handed out so far. */
  consumed(): number;
  /** Compressed size of the whole stream, were it read to the end. */
  readonly compressedBytes: number;
}

/**
 * A well-formed gzip stream of `inflatedBytes` zero bytes, produced lazily: one 1 MiB block of zeros
 * is deflated once (full flush, so it never refers to earlier data) and that same compressed block is
 * repeated, then a final empty block and the trailer. Nothing is generated until it is read.
 */
export const gzipBomb = (inflatedBytes: number): GzipBomb => {
  const blockSize = 1024 * 1024;
  const zeros = new Uint8Array(blockSize);
  const block = deflateRawSync(zeros, { finishFlush: constants.Z_FULL_FLUSH, level: 9 });
  const blocks = Math.ceil(inflatedBytes / blockSize);
  const header = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  let consumed = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    consumed += header.byteLength;
    yield header;
    let crc = 0;
    for (let index = 0; index < blocks; index += 1) {
      crc = crc32(zeros, crc);
      consumed += block.byteLength;
      yield block;
    }
    const trailer = Buffer.alloc(10);
    trailer.set([0x03, 0x00]); // final, empty, fixed-Huffman block
    trailer.writeUInt32LE(crc >>> 0, 2);
    trailer.writeUInt32LE((blocks * blockSize) % 2 ** 32, 6);
    consumed += trailer.byteLength;
    yield trailer;
  }
  return {
    chunks: chunks(),
    consumed: () => consumed,
    compressedBytes: header.byteLength + blocks * block.byteLength + 10,
  };
};
