import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { listedCommand } from '../../../../cli/command';
import { initCommand } from '../../../../cli/commands/init';
import { runCli } from '../../../../cli/main';
import { KubectlKustomize } from '../../../../functions/adapters/kubectl-kustomize';
import { layerBinaryPath } from '../../../../functions/adapters/layer-binaries';
import { parsePolicy } from '../../../../functions/promotion/policy/parse-policy';
import { captureIo } from '../../../support/cli-capture';
import { errorsText, fluxCrdValidators } from '../../../support/flux-crds';
import { type NotificationObject, routeEvent } from '../../../support/notification-routing';

const CRD_FILES: Record<string, string> = {
  Kustomization: 'kustomize.toolkit.fluxcd.io_kustomizations.yaml',
  Provider: 'notification.toolkit.fluxcd.io_providers.yaml',
  Alert: 'notification.toolkit.fluxcd.io_alerts.yaml',
};

/** Validates a Flux object against the (closed) openAPIV3Schema of its CRD version in test/fixtures/flux-crds. */
const validateAgainstCrd = (object: { apiVersion: string; kind: string }) => {
  const validate = fluxCrdValidators([CRD_FILES[object.kind]!]).get(`${object.apiVersion} ${object.kind}`);
  if (!validate) return `${object.apiVersion} is not served by the ${object.kind} CRD`;
  return validate(object) ? 'valid' : errorsText(validate.errors);
};

const run = async (args: string[]) => {
  const io = captureIo();
  const code = await runCli(['init', ...args], io, {
    version: 'test',
    commands: [listedCommand('init', initCommand())],
  });
  return { code, out: io.out(), err: io.err() };
};

describe('chart-promoter init', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'init-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes Kustomizations, a generic-hmac Provider and an Alert that validate against the Flux CRDs, and builds with kustomize', async () => {
    // Act
    const result = await run([
      '--dir',
      dir,
      '--feedback-url',
      'https://abc.lambda-url.eu-west-1.on.aws/',
      '--json',
    ]);

    // Assess
    expect(result.code, result.err).toBe(0);
    const document = JSON.parse(result.out);
    const folder = 'clusters/my-cluster/chart-promoter';
    expect(document.written.sort()).toEqual(
      [
        `${folder}/kustomization.yaml`,
        `${folder}/namespaces.yaml`,
        `${folder}/environments.yaml`,
        `${folder}/notification.yaml`,
        '.chart-promoter.yaml',
        'environments/dev/kustomization.yaml',
        'environments/staging/kustomization.yaml',
        'environments/prod/kustomization.yaml',
      ].sort(),
    );
    const kustomize = new KubectlKustomize({ kubectlPath: await layerBinaryPath('kubectl') });
    const built = parseAllDocuments(await kustomize.build(path.join(dir, folder))).map(
      (doc) =>
        doc.toJS() as {
          apiVersion: string;
          kind: string;
          metadata: { name: string; namespace?: string };
          spec?: Record<string, unknown>;
        },
    );
    expect(built.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'Alert/dev/chart-promoter',
      'Alert/prod/chart-promoter',
      'Alert/staging/chart-promoter',
      'Kustomization/flux-system/chart-promoter-dev',
      'Kustomization/flux-system/chart-promoter-prod',
      'Kustomization/flux-system/chart-promoter-staging',
      'Namespace//dev',
      'Namespace//prod',
      'Namespace//staging',
      'Provider/dev/chart-promoter',
      'Provider/prod/chart-promoter',
      'Provider/staging/chart-promoter',
    ]);
    for (const object of built.filter((o) => o.kind !== 'Namespace')) {
      expect(await validateAgainstCrd(object), `${object.kind}/${object.metadata.name}`).toBe('valid');
    }
    const byName = new Map(
      built.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]),
    );
    for (const environment of ['dev', 'staging', 'prod']) {
      // An explicit timeout: notification-controller's retries run inside it (default 15 s).
      expect(byName.get(`Provider/${environment}/chart-promoter`)?.spec).toEqual({
        type: 'generic-hmac',
        address: 'https://abc.lambda-url.eu-west-1.on.aws/',
        secretRef: { name: 'chart-promoter-webhook' },
        timeout: '1m',
      });
      expect(byName.get(`Alert/${environment}/chart-promoter`)?.spec).toEqual({
        providerRef: { name: 'chart-promoter' },
        eventSeverity: 'info',
        eventSources: [{ kind: 'HelmRelease', name: '*' }],
      });
    }
    expect(byName.get('Kustomization/flux-system/chart-promoter-staging')?.spec).toEqual({
      interval: '10m',
      path: './environments/staging',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    });
    const policy = parsePolicy(await readFile(path.join(dir, '.chart-promoter.yaml'), 'utf8'));
    expect(policy.ok && policy.policy.environments.map((e) => [e.name, e.mode, e.soakMs])).toEqual([
      ['dev', 'direct', 0],
      ['staging', 'direct', 30 * 60_000],
      ['prod', 'pull-request', 0],
    ]);
    expect(await kustomize.build(path.join(dir, 'environments/dev'))).toBe('');
  });

  it('survives --no-cross-namespace-refs=true: each environment’s HelmRelease events reach one Provider, in their namespace, with its Secret', async () => {
    // Prepare: notification-controller's routing, ported from internal/server/event_handlers.go.
    await run(['--dir', dir, '--feedback-url', 'https://abc.lambda-url.eu-west-1.on.aws/']);
    const objects = parseAllDocuments(
      await readFile(path.join(dir, 'clusters/my-cluster/chart-promoter/notification.yaml'), 'utf8'),
    ).map((doc) => doc.toJS() as NotificationObject);
    const secrets = ['dev', 'staging', 'prod'].map((e) => `${e}/chart-promoter-webhook`);

    for (const environment of ['dev', 'staging', 'prod']) {
      for (const severity of ['info', 'error'] as const) {
        // Act
        const event = { kind: 'HelmRelease', namespace: environment, name: 'web', severity };
        const hardened = routeEvent(objects, secrets, event, { noCrossNamespaceRefs: true });
        const open = routeEvent(objects, secrets, event, { noCrossNamespaceRefs: false });
        // Assess
        const delivery = {
          alert: `${environment}/chart-promoter`,
          provider: `${environment}/chart-promoter`,
          secret: `${environment}/chart-promoter-webhook`,
          timeout: '1m',
        };
        expect(hardened).toEqual({ deliveries: [delivery], dropped: [] });
        expect(open).toEqual(hardened);
      }
    }
    const kustomization = routeEvent(
      objects,
      secrets,
      { kind: 'Kustomization', namespace: 'dev', name: 'dev', severity: 'info' },
      { noCrossNamespaceRefs: true },
    );
    expect(kustomization.deliveries).toEqual([]);
  });

  it('can fail: an Alert in flux-system watching the environments (the earlier layout) loses every event under the flag', () => {
    // Prepare
    const crossNamespace: NotificationObject[] = [
      {
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Provider',
        metadata: { name: 'chart-promoter', namespace: 'flux-system' },
        spec: { type: 'generic-hmac', secretRef: { name: 'chart-promoter-webhook' } },
      },
      {
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Alert',
        metadata: { name: 'chart-promoter', namespace: 'flux-system' },
        spec: {
          providerRef: { name: 'chart-promoter' },
          eventSeverity: 'info',
          eventSources: [{ kind: 'HelmRelease', name: '*', namespace: 'dev' }],
        },
      },
    ];
    const event = { kind: 'HelmRelease', namespace: 'dev', name: 'web', severity: 'info' } as const;
    // Act
    const hardened = routeEvent(crossNamespace, ['flux-system/chart-promoter-webhook'], event, {
      noCrossNamespaceRefs: true,
    });
    const open = routeEvent(crossNamespace, ['flux-system/chart-promoter-webhook'], event, {
      noCrossNamespaceRefs: false,
    });
    // Assess
    expect(hardened.deliveries).toEqual([]);
    expect(hardened.dropped[0]?.reason).toContain('cross-namespace references have been blocked');
    expect(open.deliveries).toEqual([
      expect.objectContaining({ provider: 'flux-system/chart-promoter', timeout: '15s' }),
    ]);
  });

  it('refuses to overwrite (exit 1, nothing written); --force replaces the Flux objects but never the policy', async () => {
    // Prepare
    await run(['--dir', dir, '--feedback-url', 'https://one.example/']);
    const notification = path.join(dir, 'clusters/my-cluster/chart-promoter/notification.yaml');
    const policyFile = path.join(dir, '.chart-promoter.yaml');
    await writeFile(policyFile, 'environments:\n  - name: dev\n  - name: prod\n    after: dev\n');
    const before = await readFile(notification, 'utf8');

    // Act
    const refused = await run(['--dir', dir, '--feedback-url', 'https://two.example/', '--json']);
    const afterRefusal = await readFile(notification, 'utf8');
    const forced = await run(['--dir', dir, '--feedback-url', 'https://two.example/', '--force', '--json']);

    // Assess
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out)).toMatchObject({
      ok: false,
      errors: [
        {
          code: 'FILE_EXISTS',
          paths: expect.arrayContaining(['clusters/my-cluster/chart-promoter/notification.yaml']),
        },
      ],
    });
    expect(afterRefusal).toBe(before);
    expect(forced.code, forced.err).toBe(0);
    // The environments come from the existing policy; the policy itself is kept.
    expect(JSON.parse(forced.out)).toMatchObject({
      environments: ['dev', 'prod'],
      kept: expect.arrayContaining(['.chart-promoter.yaml']),
    });
    expect(await readFile(notification, 'utf8')).toContain('address: https://two.example/');
    expect(await readFile(policyFile, 'utf8')).toBe(
      'environments:\n  - name: dev\n  - name: prod\n    after: dev\n',
    );
  });

  it('answers usage errors with exit 2 and writes nothing', async () => {
    // Prepare
    await mkdir(path.join(dir, 'empty'));

    // Act
    const codes = [
      (await run(['--dir', dir])).code,
      (await run(['--dir', dir, '--feedback-url', 'not a url'])).code,
      (await run(['--dir', dir, '--feedback-url', 'ftp://x.example/'])).code,
      (await run(['--dir', dir, '--feedback-url', 'https://x.example/', '--environments', 'dev,Prod'])).code,
    ];

    // Assess
    expect(codes).toEqual([2, 2, 2, 2]);
    expect(await readFile(path.join(dir, '.chart-promoter.yaml'), 'utf8').catch(() => 'absent')).toBe(
      'absent',
    );
  });
});
