import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type CrdSchema, fluxCrdValidators } from '../../support/flux-crds';
import { routeEvent } from '../../support/notification-routing';

/**
 * The Flux objects the README tells users to apply for the feedback endpoint (Provider, Alert),
 * validated against the notification-controller's CRDs the way the API server would, so the docs
 * cannot drift from what Flux accepts.
 */
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const EXAMPLE = path.join(repoRoot, 'infra/flux/feedback-notification.yaml');
/** The section as written for the README (kept here, beside the example) and the README itself. */
const FLUX_SIDE_DOC = path.join(repoRoot, 'infra/flux/README.md');
const README = path.join(repoRoot, 'README.md');

/** One validator per `apiVersion` + `kind` of the notification CRDs (every served version). */
const validators = fluxCrdValidators(
  ['notification.toolkit.fluxcd.io_providers.yaml', 'notification.toolkit.fluxcd.io_alerts.yaml'],
  (schema) => {
    const metadata: CrdSchema = {
      type: 'object',
      properties: { name: { type: 'string' }, namespace: { type: 'string' } },
    };
    return { ...schema, required: ['metadata', 'spec'], properties: { ...schema.properties, metadata } };
  },
);

interface FluxObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: Record<string, unknown> & {
    type?: string;
    address?: string;
    secretRef?: { name: string };
    providerRef?: { name: string };
    eventSeverity?: string;
    eventSources?: { kind: string; name: string; namespace?: string }[];
    timeout?: string;
  };
}

/** Validates one object; returns the ajv errors as readable lines ([] = valid). */
const problems = (object: FluxObject): string[] => {
  const validate = validators.get(`${object.apiVersion} ${object.kind}`);
  if (!validate) return [`no CRD serves ${object.apiVersion} ${object.kind}`];
  return validate(object)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
};

const objectsIn = (text: string): FluxObject[] =>
  parseAllDocuments(text)
    .map((doc) => doc.toJS() as FluxObject | null)
    .filter((o): o is FluxObject => o !== null);

/**
 * Every YAML block of a document that holds notification objects, wherever it stands: found by its
 * content, not under a heading, so renaming a section cannot make the checks below pass vacuously.
 */
const notificationBlocks = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((block) => /notification\.toolkit\.fluxcd\.io/.test(block));

describe('Flux notification objects for the feedback endpoint', () => {
  const objects = objectsIn(readFileSync(EXAMPLE, 'utf8'));
  const provider = objects.find((o) => o.kind === 'Provider')!;
  const alert = objects.find((o) => o.kind === 'Alert')!;
  const ENVIRONMENTS = ['dev', 'staging', 'prod'];

  it('are valid Provider and Alert objects of the storage version, with no field the CRD lacks', () => {
    // Assess
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}`)).toEqual(
      ENVIRONMENTS.flatMap((e) => [
        `notification.toolkit.fluxcd.io/v1beta3 Provider ${e}`,
        `notification.toolkit.fluxcd.io/v1beta3 Alert ${e}`,
      ]),
    );
    for (const object of objects) expect(problems(object), object.kind).toEqual([]);
  });

  it('point a generic-hmac Provider with a timeout at a function URL, and forward info events of the namespace’s HelmReleases', () => {
    for (const namespace of ENVIRONMENTS) {
      // Prepare
      const pair = objects.filter((o) => o.metadata.namespace === namespace);
      const p = pair.find((o) => o.kind === 'Provider')!;
      const a = pair.find((o) => o.kind === 'Alert')!;
      // Assess
      expect(p.spec).toMatchObject({
        type: 'generic-hmac',
        secretRef: { name: 'chart-promoter-webhook' },
        // notification-controller's retries run inside this deadline (default 15 s).
        timeout: '1m',
      });
      expect(p.spec.address).toMatch(/^https:\/\/[a-z0-9]{32}\.lambda-url\.[a-z0-9-]+\.on\.aws\/$/);
      expect(a.spec.providerRef).toEqual({ name: p.metadata.name });
      // 'error' would drop InstallSucceeded/UpgradeSucceeded/TestSucceeded, the events that drive promotion.
      expect(a.spec.eventSeverity).toBe('info');
      expect(a.spec.eventSources).toEqual([{ kind: 'HelmRelease', name: '*' }]);
    }
  });

  it('deliver each environment’s HelmRelease events with --no-cross-namespace-refs=true, as notification-controller routes them', () => {
    // Prepare: every Secret the README tells users to create.
    const secrets = ENVIRONMENTS.map((e) => `${e}/chart-promoter-webhook`);
    for (const namespace of ENVIRONMENTS) {
      // Act
      const routed = routeEvent(
        objects,
        secrets,
        { kind: 'HelmRelease', namespace, name: 'web', severity: 'info' },
        { noCrossNamespaceRefs: true },
      );
      // Assess
      expect(routed).toEqual({
        deliveries: [
          {
            alert: `${namespace}/chart-promoter`,
            provider: `${namespace}/chart-promoter`,
            secret: `${namespace}/chart-promoter-webhook`,
            timeout: '1m',
          },
        ],
        dropped: [],
      });
    }
  });

  it('can fail: the validator refuses a misspelt field, an unknown provider type and a bad severity', () => {
    // Prepare
    const bad = [
      { ...provider, spec: { ...provider.spec, secretref: { name: 'x' } } },
      { ...provider, spec: { ...provider.spec, type: 'hmac' } },
      { ...alert, spec: { ...alert.spec, eventSeverity: 'warning' } },
      { ...alert, spec: { ...alert.spec, eventSources: [{ kind: 'HelmReleases', name: '*' }] } },
    ];
    // Act + Assess
    for (const object of bad) expect(problems(object)).not.toEqual([]);
  });

  it('infra/flux/README.md "The Flux side" shows objects of the example file', () => {
    // Act
    const documented = notificationBlocks(FLUX_SIDE_DOC).flatMap(objectsIn);
    // Assess
    expect(documented.length).toBeGreaterThan(0);
    for (const object of documented) expect(objects).toContainEqual(object);
  });

  it('README shows notification objects, and only valid ones', () => {
    // Act
    const readmeObjects = notificationBlocks(README).flatMap(objectsIn);
    // Assess: the README must show them (a missing block fails here rather than skipping).
    expect(readmeObjects.length, 'README.md shows no notification.toolkit.fluxcd.io object').toBeGreaterThan(
      0,
    );
    for (const object of readmeObjects.filter((o) => o.apiVersion?.startsWith('notification.')))
      expect(problems(object), `${object.kind} ${object.metadata?.name}`).toEqual([]);
  });
});
