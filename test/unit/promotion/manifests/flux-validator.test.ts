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
import { HELMRELEASE_SCHEMA_PATH } from '../../../../scripts/sync-flux-schemas';
import { compileCrdSchema } from '../../../support/flux-crds';

const release = {
  name: 'web',
  namespace: 'dev',
  chartPath: './charts/web/1.2.3',
  version: '1.2.3',
  runId: 'run-1',
  sourceRef: { name: 'flux-system', namespace: 'flux-system' },
  interval: '10m',
};

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
