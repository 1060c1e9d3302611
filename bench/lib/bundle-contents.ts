/** The package (or project folder) an esbuild metafile input belongs to. */
const packageOf = (file: string): string =>
  /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.split('/').slice(0, 2).join('/');

/** The part of an esbuild metafile (https://esbuild.github.io/api/#metafile) read here. */
export interface BundleMetafile {
  readonly outputs: Readonly<
    Record<
      string,
      {
        readonly bytes: number;
        readonly inputs: Readonly<Record<string, { readonly bytesInOutput: number }>>;
        readonly imports?: readonly { readonly path: string; readonly kind: string }[];
      }
    >
  >;
}

export interface BundleContents {
  /** Bytes Lambda loads at init: index.mjs and every chunk it imports statically, transitively. */
  readonly initBytes: number;
  /** Bytes only an `import()` reaches: chunks loaded when a feature is configured. */
  readonly lazyBytes: number;
  /** The largest packages of the init part, largest first. */
  readonly top: readonly { readonly name: string; readonly bytes: number }[];
  /** Every source file (metafile input path) with code in the init part. */
  readonly initInputs: readonly string[];
}

/** What a code-split bundle loads at init and what it loads lazily, from its metafile. */
export const bundleContents = (metafile: BundleMetafile, count = 8): BundleContents => {
  const { outputs } = metafile;
  const entry = Object.keys(outputs).find((file) => file === 'index.mjs' || file.endsWith('/index.mjs'));
  if (entry === undefined) throw new Error('no index.mjs among the metafile outputs');
  const atInit = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (atInit.has(file)) continue;
    atInit.add(file);
    for (const { path, kind } of outputs[file]?.imports ?? [])
      if (kind === 'import-statement' && path in outputs) pending.push(path);
  }
  const byPackage = new Map<string, number>();
  const initInputs = new Set<string>();
  let initBytes = 0;
  let lazyBytes = 0;
  for (const [file, output] of Object.entries(outputs)) {
    if (!file.endsWith('.mjs')) continue;
    if (!atInit.has(file)) {
      lazyBytes += output.bytes;
      continue;
    }
    initBytes += output.bytes;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
      if (bytesInOutput > 0) initInputs.add(input);
    }
  }
  const top = [...byPackage]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
  return { initBytes, lazyBytes, top, initInputs: [...initInputs].sort() };
};

/** "zod 97 KiB, yaml 112 KiB, …" */
export const describeTop = (contents: BundleContents): string =>
  contents.top.map(({ name, bytes }) => `${name} ${(bytes / 1024).toFixed(0)} KiB`).join(', ');
