import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBeforeUpload } from '../../../../cli/push/check-before-upload';
import { DEFAULT_INTAKE_LIMITS } from '../../../../functions/chart/chart';
import { buildChart } from '../../../support/tar-fixtures';

describe('checkBeforeUpload (what push refuses without uploading)', () => {
  let dir: string;
  let valid: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'check-before-upload-'));
    valid = join(dir, 'web-1.0.0.tgz');
    await writeFile(valid, await buildChart('web', '1.0.0'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes a valid chart and names it', async () => {
    // Act
    const check = await checkBeforeUpload(valid, { key: 'incoming/web-1.0.0.tgz', prefix: 'incoming/' });

    // Assess
    expect(check).toEqual({ ok: true, chart: { name: 'web', version: '1.0.0' } });
  });

  it.each([
    [
      'a charts/ folder right under the prefix (a vendored dependency)',
      'incoming/charts/web-1.0.0.tgz',
      'VENDORED_DEPENDENCY',
    ],
    ['another prefix than the pipeline watches', 'uploads/web-1.0.0.tgz', 'OUTSIDE_PREFIX'],
  ])('refuses a key the pipeline would ignore: %s', async (_, key, code) => {
    // Act
    const check = await checkBeforeUpload(valid, { key, prefix: 'incoming/' });

    // Assess
    expect(check).toEqual({
      ok: false,
      refusals: [{ code, message: expect.stringMatching(/^the pipeline would ignore /) }],
    });
  });

  it('refuses an archive over the limit from its size alone', async () => {
    // Act: a limit below the valid chart's size.
    const check = await checkBeforeUpload(
      valid,
      { key: 'incoming/web-1.0.0.tgz', prefix: 'incoming/' },
      { ...DEFAULT_INTAKE_LIMITS, maxArchiveBytes: 100 },
    );

    // Assess
    expect(check).toMatchObject({ ok: false, refusals: [{ code: 'ARCHIVE_TOO_LARGE' }] });
  });
});
