import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KUSTOMIZE_FAILED,
  KUSTOMIZE_UNAVAILABLE,
  KubectlKustomize,
} from '../../../functions/adapters/kubectl-kustomize';
import { layerBinaryPath } from '../../../functions/adapters/layer-binaries';

let kubectlPath: string;
let scratch: string;

const writeDir = async (name: string, files: Record<string, string>): Promise<string> => {
  const dir = join(scratch, name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return dir;
};

beforeAll(async () => {
  kubectlPath = await layerBinaryPath('kubectl');
  scratch = await mkdtemp(join(tmpdir(), 'kubectl-kustomize-test-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('KubectlKustomize (real kubectl 1.32)', () => {
  it('builds an environment directory into its manifests', async () => {
    // Prepare
    const dir = await writeDir('ok', {
      'kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: dev\nresources:\n  - cm.yaml\n',
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n',
    });
    const tempDir = await mkdtemp(join(scratch, 'temp-'));
    // Act
    const manifests = await new KubectlKustomize({ kubectlPath, tempDir }).build(dir);
    // Assess
    expect(manifests).toContain('name: settings');
    expect(manifests).toContain('namespace: dev');
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('throws a terminal KUSTOMIZE_FAILED with kubectl’s message when a resource is missing', async () => {
    const dir = await writeDir('broken', { 'kustomization.yaml': 'resources:\n  - missing.yaml\n' });
    const error = await new KubectlKustomize({ kubectlPath }).build(dir).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: KUSTOMIZE_FAILED, disposition: 'terminal' });
    expect((error as Error).message).toContain('missing.yaml');
    expect((error as Error).message).not.toMatch(/^error:/);
  });

  it('throws a retryable KUSTOMIZE_UNAVAILABLE when kubectl cannot start', async () => {
    const dir = await writeDir('fine', { 'kustomization.yaml': 'resources: []\n' });
    const kustomize = new KubectlKustomize({ kubectlPath: join(scratch, 'no-such-kubectl') });
    const error = await kustomize.build(dir).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: KUSTOMIZE_UNAVAILABLE, disposition: 'retryable' });
  });
});
