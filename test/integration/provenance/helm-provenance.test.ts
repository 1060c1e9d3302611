import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerBinaryPath } from '../../../functions/adapters/layer-binaries';
import { S3ObjectStore } from '../../../functions/adapters/s3-object-store';
import type { Chart } from '../../../functions/chart/chart';
import { intakeChart } from '../../../functions/chart/intake';
import { type S3Endpoint, startS3Endpoint } from '../../../functions/local/s3-endpoint';
import { staticKeyring } from '../../../functions/ports/keyring-source';
import { readPublicKeyring } from '../../../functions/provenance/keyring';
import { signArchive } from '../../../functions/provenance/sign-archive';
import { signChart } from '../../../functions/provenance/sign-chart';
import { generateSigningKey } from '../../../functions/provenance/signing-key';
import { UploadProvenanceVerifier } from '../../../functions/provenance/upload-provenance';
import { verifyProvenance } from '../../../functions/provenance/verify-provenance';
import { createGpgSigner, type GpgSigner, readBytes } from '../../support/gpg-signer';
import { scaledTimeout } from '../../support/machine-speed';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const ARCHIVE = 'hello-web-1.0.0.tgz';

/** Real `helm package --sign` output, a tampered re-package of the same chart, and two gpg keys. */
let helm: string;
let work: string;
let signer: GpgSigner;
let stranger: GpgSigner;
let signed: { archive: Uint8Array; prov: string; chart: Chart };
let tampered: { archive: Uint8Array; chart: Chart };

const chartOf = async (archive: Uint8Array): Promise<Chart> => {
  const result = await intakeChart(archive);
  if (!result.ok) throw new Error(`intake refused the fixture: ${JSON.stringify(result.refusals)}`);
  return result.chart;
};

const subjectOf = (chart: Chart, archiveName = ARCHIVE) => ({
  name: chart.name,
  version: chart.version,
  digest: chart.digest,
  archiveName,
});

beforeAll(async () => {
  helm = await layerBinaryPath('helm');
  work = await mkdtemp(path.join(tmpdir(), 'chart-promoter-prov-'));
  [signer, stranger] = await Promise.all([createGpgSigner('Chart Signer'), createGpgSigner('Someone Else')]);
  const out = path.join(work, 'signed');
  await run(helm, [
    'package',
    '--sign',
    '--key',
    signer.name,
    '--keyring',
    signer.secring,
    '--destination',
    out,
    path.join(repoRoot, 'charts/hello-web'),
  ]);
  const archive = await readBytes(path.join(out, ARCHIVE));
  signed = {
    archive,
    prov: await readFile(path.join(out, `${ARCHIVE}.prov`), 'utf8'),
    chart: await chartOf(archive),
  };
  // Same name and version, one value changed: what an attacker with bucket access would upload.
  const copy = path.join(work, 'hello-web');
  await cp(path.join(repoRoot, 'charts/hello-web'), copy, { recursive: true });
  const values = path.join(copy, 'values.yaml');
  await writeFile(values, `${await readFile(values, 'utf8')}\n# tampered\n`);
  await run(helm, ['package', '--destination', path.join(work, 'tampered'), copy]);
  const altered = await readBytes(path.join(work, 'tampered', ARCHIVE));
  tampered = { archive: altered, chart: await chartOf(altered) };
}, scaledTimeout(60_000));

afterAll(async () => {
  await Promise.all([signer?.close(), stranger?.close()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('verifyProvenance with a real helm-signed chart', () => {
  it('accepts the chart with the public key of its signer, naming the signer', async () => {
    // Prepare
    const keyring = await readPublicKeyring(signer.armoredPublicKey);
    // Act
    const verdict = await verifyProvenance(signed.prov, keyring, subjectOf(signed.chart));
    // Assess
    expect(verdict).toMatchObject({
      ok: true,
      signer: { userIds: [expect.stringContaining('Chart Signer')] },
    });
  });

  it('accepts it with a keyring of several keys (armored blocks concatenated)', async () => {
    const keyring = await readPublicKeyring(`${stranger.armoredPublicKey}\n${signer.armoredPublicKey}`);
    const verdict = await verifyProvenance(signed.prov, keyring, subjectOf(signed.chart));
    expect(verdict.ok).toBe(true);
  });

  it('refuses a tampered archive with PROVENANCE_INVALID (digest mismatch)', async () => {
    const keyring = await readPublicKeyring(signer.armoredPublicKey);
    const verdict = await verifyProvenance(signed.prov, keyring, subjectOf(tampered.chart));
    expect(tampered.chart.digest).not.toBe(signed.chart.digest);
    expect(verdict).toMatchObject({
      ok: false,
      code: 'PROVENANCE_INVALID',
      message: expect.stringMatching(/digest/),
    });
  });

  it('refuses a chart signed by a key outside the keyring with PROVENANCE_INVALID', async () => {
    const keyring = await readPublicKeyring(stranger.armoredPublicKey);
    const verdict = await verifyProvenance(signed.prov, keyring, subjectOf(signed.chart));
    expect(verdict).toMatchObject({
      ok: false,
      code: 'PROVENANCE_INVALID',
      message: expect.stringMatching(/key/),
    });
  });

  it('refuses a provenance whose signed text was edited (the digest swapped in) with PROVENANCE_INVALID', async () => {
    const keyring = await readPublicKeyring(signer.armoredPublicKey);
    const forged = signed.prov.replace(signed.chart.digest, tampered.chart.digest);
    expect(forged).not.toBe(signed.prov);
    const verdict = await verifyProvenance(forged, keyring, subjectOf(tampered.chart));
    expect(verdict).toMatchObject({
      ok: false,
      code: 'PROVENANCE_INVALID',
      message: expect.stringMatching(/signature/),
    });
  });
});

describe('signChart (pure openpgp.js, for the demo)', () => {
  it('writes a .prov that `helm verify` itself accepts, and so do we', async () => {
    // Prepare
    const key = await generateSigningKey('Demo Signer', 'demo@example.test');
    const dir = await mkdtemp(path.join(work, 'demo-'));
    const tgz = path.join(dir, ARCHIVE);
    await writeFile(tgz, signed.archive);
    await writeFile(path.join(dir, 'pubring.gpg'), key.publicKeyring);
    // Act
    const prov = await signChart(signed.archive, signed.chart, key.privateKey);
    await writeFile(`${tgz}.prov`, prov);
    const { stdout } = await run(helm, ['verify', tgz, '--keyring', path.join(dir, 'pubring.gpg')]);
    const verdict = await verifyProvenance(
      prov,
      await readPublicKeyring(key.publicKey),
      subjectOf(signed.chart),
    );
    // Assess
    expect(stdout).toContain(`Chart Hash Verified: ${signed.chart.digest}`);
    expect(stdout).toContain('Demo Signer');
    expect(verdict).toMatchObject({ ok: true, signer: { fingerprint: key.fingerprint } });
  });

  it("signArchive (archive bytes in, .prov out: the demo's call) is accepted by `helm verify` too", async () => {
    const key = await generateSigningKey('Demo Signer');
    const dir = await mkdtemp(path.join(work, 'demo-'));
    const tgz = path.join(dir, ARCHIVE);
    await writeFile(tgz, signed.archive);
    await writeFile(path.join(dir, 'pubring.gpg'), key.publicKeyring);
    const { prov, name, version } = await signArchive(signed.archive, key.privateKey);
    await writeFile(`${tgz}.prov`, prov);
    const { stdout } = await run(helm, ['verify', tgz, '--keyring', path.join(dir, 'pubring.gpg')]);
    expect([name, version]).toEqual(['hello-web', '1.0.0']);
    expect(stdout).toContain('Chart Hash Verified');
  });

  it('is rejected by `helm verify` once the archive is tampered with', async () => {
    const key = await generateSigningKey('Demo Signer');
    const dir = await mkdtemp(path.join(work, 'demo-'));
    const tgz = path.join(dir, ARCHIVE);
    await writeFile(tgz, tampered.archive);
    await writeFile(`${tgz}.prov`, await signChart(signed.archive, signed.chart, key.privateKey));
    await writeFile(path.join(dir, 'pubring.gpg'), key.publicKeyring);
    await expect(run(helm, ['verify', tgz, '--keyring', path.join(dir, 'pubring.gpg')])).rejects.toThrow(
      /sha256 sum does not match/,
    );
  });
});

describe('UploadProvenanceVerifier reading <key>.prov from S3 (s3rver)', () => {
  let s3: S3Endpoint;
  let verifier: UploadProvenanceVerifier;
  const put = (Key: string, Body: Uint8Array | string) =>
    s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body }));

  beforeAll(async () => {
    s3 = await startS3Endpoint({ directory: await mkdtemp(path.join(work, 's3-')), bucket: 'charts' });
    verifier = new UploadProvenanceVerifier(
      new S3ObjectStore({ client: s3.client }),
      staticKeyring(signer.armoredPublicKey),
    );
  });
  afterAll(async () => s3?.close());

  it('verifies a chart uploaded with its .prov beside it', async () => {
    await put(`incoming/${ARCHIVE}`, signed.archive);
    await put(`incoming/${ARCHIVE}.prov`, signed.prov);
    const verdict = await verifier.verify(signed.chart, { bucket: s3.bucket, key: `incoming/${ARCHIVE}` });
    expect(verdict.ok).toBe(true);
  });

  it('refuses a chart without a .prov with PROVENANCE_MISSING', async () => {
    await put(`unsigned/${ARCHIVE}`, signed.archive);
    const verdict = await verifier.verify(signed.chart, { bucket: s3.bucket, key: `unsigned/${ARCHIVE}` });
    expect(verdict).toMatchObject({
      ok: false,
      code: 'PROVENANCE_MISSING',
      path: `unsigned/${ARCHIVE}.prov`,
    });
  });

  it('refuses a tampered archive uploaded with the genuine .prov with PROVENANCE_INVALID', async () => {
    await put(`tampered/${ARCHIVE}`, tampered.archive);
    await put(`tampered/${ARCHIVE}.prov`, signed.prov);
    const verdict = await verifier.verify(tampered.chart, { bucket: s3.bucket, key: `tampered/${ARCHIVE}` });
    expect(verdict).toMatchObject({ ok: false, code: 'PROVENANCE_INVALID' });
  });
});
