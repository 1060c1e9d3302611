import { readFile } from 'node:fs/promises';
import type { ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateHelmRelease } from '../../../../functions/promotion/manifests/flux-schema';
import { newHelmReleaseText } from '../../../../functions/promotion/manifests/helm-release-manifest';
import { validate as generated } from '../../../../functions/promotion/manifests/schemas/helmrelease-v2.validate.js';
import {
  HELMRELEASE_VALIDATOR_PATH,
  renderValidatorModule,
  withoutDescriptions,
} from '../../../../scripts/generate-flux-validator';
import {
  extractCrdSchema,
  HELMRELEASE_CRD_PATH,
  HELMRELEASE_SCHEMA_PATH,
} from '../../../../scripts/sync-flux-schemas';
import { closedSchema, compileCrdSchema, fluxCrdValidators } from '../../../support/flux-crds';

const release = {
  name: 'web',
  namespace: 'dev',
  chartPath: './charts/web/1.2.3',
  version: '1.2.3',
  runId: 'run-1',
  sourceRef: { name: 'flux-system', namespace: 'flux-system' },
  interval: '10m',
};

describe('Flux HelmRelease schema', () => {
  it('is committed exactly as scripts/sync-flux-schemas.ts extracts it from test/fixtures/flux-crds', async () => {
    // Prepare
    const crd = await readFile(HELMRELEASE_CRD_PATH, 'utf8');
    // Act
    const extracted = extractCrdSchema(crd, 'v2');
    const committed = JSON.parse(await readFile(HELMRELEASE_SCHEMA_PATH, 'utf8'));
    // Assess
    expect(committed).toEqual(extracted);
  });

  it('accepts the default new HelmRelease, which uses only fields the CRD defines', async () => {
    // Prepare
    const object = parse(newHelmReleaseText(release));
    const schema = closedSchema(JSON.parse(await readFile(HELMRELEASE_SCHEMA_PATH, 'utf8')));
    const spec = { ...schema, properties: { ...schema.properties, metadata: { type: 'object' } } };
    // Act
    const result = validateHelmRelease(object);
    const strict = compileCrdSchema(spec);
    // Assess
    expect(result).toEqual({ ok: true });
    expect(strict(object), JSON.stringify(strict.errors)).toBe(true);
    expect(object.spec.chart.spec).toMatchObject({
      chart: './charts/web/1.2.3',
      reconcileStrategy: 'ChartVersion',
    });
  });

  // fluxcd/helm-controller v1.6.3: api/v2/helmrelease_types.go documents install.crds defaulting to
  // Create (L598-L617) and upgrade.crds to Skip (L872-L890); internal/action/crds.go L44-L63 falls back
  // to Create for both. Neither replaces an existing CRD: only CreateReplace does.
  // https://github.com/fluxcd/helm-controller/blob/v1.6.3/api/v2/helmrelease_types.go#L872-L890
  it('sets install.crds and upgrade.crds of a new HelmRelease to CreateReplace, valid against the Flux CRD', () => {
    // Prepare
    const crd = fluxCrdValidators(['helm.toolkit.fluxcd.io_helmreleases.yaml']).get(
      'helm.toolkit.fluxcd.io/v2 HelmRelease',
    )!;
    // Act
    const object = parse(newHelmReleaseText(release));
    // Assess
    expect(object.spec.install.crds).toBe('CreateReplace');
    expect(object.spec.upgrade.crds).toBe('CreateReplace');
    expect(validateHelmRelease(object)).toEqual({ ok: true });
    expect(crd(object), JSON.stringify(crd.errors)).toBe(true);
  });

  it('rejects objects the API server would reject, with ajv saying where', () => {
    // Prepare
    const object = parse(newHelmReleaseText({ ...release, interval: 'ten minutes' }));
    object.spec.chart.spec.sourceRef.kind = 'OCIRepository';
    // Act
    const result = validateHelmRelease(object);
    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain('/spec/interval must match pattern');
    expect(!result.ok && result.message).toContain(
      '/spec/chart/spec/sourceRef/kind must be equal to one of the allowed values',
    );
  });
});

const readSchema = async () => JSON.parse(await readFile(HELMRELEASE_SCHEMA_PATH, 'utf8'));

const summary = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map(({ instancePath, keyword, message }) => `${instancePath} ${keyword} ${message}`);

/** HelmRelease objects each breaking the schema another way (type, pattern, enum, length). */
const brokenReleases = (): unknown[] => {
  const base = () => parse(newHelmReleaseText(release));
  const interval = base();
  interval.spec.interval = 'ten minutes';
  const kind = base();
  kind.spec.chart.spec.sourceRef.kind = 'OCIRepository';
  const types = base();
  types.spec.suspend = 'yes';
  types.spec.install = 'always';
  const name = base();
  name.spec.releaseName = 'x'.repeat(54);
  return [interval, kind, types, name, { spec: [] }, 'not an object'];
};

describe('the generated HelmRelease validator', () => {
  it('is committed exactly as scripts/generate-flux-validator.ts renders it from the committed schema', async () => {
    // Prepare
    const schema = await readSchema();
    // Act
    const rendered = renderValidatorModule(schema);
    const committed = await readFile(HELMRELEASE_VALIDATOR_PATH, 'utf8');
    // Assess: on failure, run `npm run generate:flux-validator`.
    expect(committed === rendered, 'helmrelease-v2.validate.js is stale').toBe(true);
  });

  it('answers as Ajv compiling the full schema at run time does, errors and messages included', async () => {
    // Prepare
    const runtime = compileCrdSchema(await readSchema());
    const objects = [parse(newHelmReleaseText(release)), ...brokenReleases()];
    for (const object of objects) {
      // Act
      const expected = runtime(object);
      const actual = generated(object);
      // Assess
      expect(actual).toBe(expected);
      expect(summary(generated.errors)).toEqual(summary(runtime.errors));
    }
    expect(validateHelmRelease(brokenReleases()[3])).toEqual({
      ok: false,
      message: '/spec/releaseName must NOT have more than 53 characters',
    });
  });

  it('drops only description annotations, not a property that is called description', () => {
    // Prepare
    const schema = {
      description: 'annotation',
      properties: { description: { type: 'string', description: 'annotation' } },
      items: { description: 'annotation', enum: ['a'] },
    };
    // Act
    const stripped = withoutDescriptions(schema);
    // Assess
    expect(stripped).toEqual({ properties: { description: { type: 'string' } }, items: { enum: ['a'] } });
  });
});
