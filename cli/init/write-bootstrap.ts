import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { starterPolicy } from '../../functions/local/starter-policy';
import { parsePolicy } from '../../functions/promotion/policy/parse-policy';
import { POLICY_PATH } from '../../functions/promotion/policy/policy';
import { bootstrapFiles, emptyEnvironmentKustomization, type FluxBootstrapOptions } from './flux-objects';

/**
 * What `init` does to a checkout of the cluster repository. Flux objects: written, but an existing
 * file is never replaced without `force` (then nothing at all is written: all or nothing). Files that
 * hold the users' data are only ever created, even with `force`: the policy (.chart-promoter.yaml)
 * and each environment's kustomization.yaml (chart-promoter's list of releases).
 */
export type BootstrapPlan =
  | { readonly ok: true; readonly written: readonly string[]; readonly kept: readonly string[] }
  | { readonly ok: false; readonly existing: readonly string[] };

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** The soak `init` writes into a starter policy: long enough to catch a crash loop in a real cluster. */
export const INIT_SOAK = '30m';

/** The environments of the repository's policy, if it has a valid one. */
export const policyEnvironments = async (dir: string): Promise<string[] | undefined> => {
  const text = await readFile(join(dir, POLICY_PATH), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = parsePolicy(text);
  return parsed.ok ? parsed.policy.environments.map((e) => e.name) : undefined;
};

export const writeBootstrap = async (
  dir: string,
  options: FluxBootstrapOptions,
  force: boolean,
): Promise<BootstrapPlan> => {
  const flux = bootstrapFiles(options);
  const existing: string[] = [];
  for (const file of flux) if (await exists(join(dir, file.path))) existing.push(file.path);
  if (existing.length > 0 && !force) return { ok: false, existing };

  const createOnly = [
    {
      path: POLICY_PATH,
      content: starterPolicy({
        environments: options.environments,
        soak: INIT_SOAK,
        soakNote: 'How long a version must run healthy in the previous environment first.',
      }),
    },
    ...options.environments.map((environment) => ({
      path: `environments/${environment}/kustomization.yaml`,
      content: emptyEnvironmentKustomization,
    })),
  ];
  const written: string[] = [];
  const kept: string[] = [];
  for (const file of [...flux, ...createOnly]) {
    const path = join(dir, file.path);
    const onlyCreate = createOnly.includes(file as (typeof createOnly)[number]);
    if (onlyCreate && (await exists(path))) {
      kept.push(file.path);
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content);
    written.push(file.path);
  }
  return { ok: true, written, kept };
};
