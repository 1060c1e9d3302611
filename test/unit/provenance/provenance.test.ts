import { createHash } from 'node:crypto';
import { generateKey } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { PromoterError } from '../../../functions/errors';
import { readPublicKeyring } from '../../../functions/provenance/keyring';
import { parseProvenanceBody, provenanceBodyText } from '../../../functions/provenance/provenance-document';
import { signChart } from '../../../functions/provenance/sign-chart';
import { chartOfProvenanceUpload } from '../../../functions/provenance/upload-provenance';
import { verifyProvenance } from '../../../functions/provenance/verify-provenance';
import { makeChart } from '../../support/promotion-fixtures';

/** The body `helm package --sign` (Helm 3.17) wrote for charts/hello-web, as openpgp.js returns it. */
const HELM_BODY = [
  'annotations:',
  '  chart-promoter/issues: DEMO-1',
  'apiVersion: v2',
  'appVersion: 1.27.3',
  'description: A small web server.',
  'name: hello-web',
  'type: application',
  'version: 1.0.0',
  '',
  '...',
  'files:',
  '  hello-web-1.0.0.tgz: sha256:3eaee921316e5edc8f87c6814a29e595e39e39e80ea04a1f980f0e7d7a6c67ef',
].join('\n');

const archive = new TextEncoder().encode('pretend this is a chart archive');
const chart = {
  ...makeChart('web', '1.2.3'),
  digest: `sha256:${createHash('sha256').update(archive).digest('hex')}`,
};
const subject = { name: 'web', version: '1.2.3', digest: chart.digest, archiveName: 'web-1.2.3.tgz' };

// ECC keys: generated in milliseconds (the helm interoperability tests use RSA, which Helm 3 needs).
const key = async (name: string) =>
  generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name }], format: 'armored' });
let signer: Awaited<ReturnType<typeof key>>;
let other: Awaited<ReturnType<typeof key>>;

beforeAll(async () => {
  [signer, other] = await Promise.all([key('Signer'), key('Other')]);
});

describe('provenance body', () => {
  it('parses what helm writes: chart name, version and the digest per archive file name', () => {
    const parsed = parseProvenanceBody(HELM_BODY);
    expect(parsed).toEqual({
      ok: true,
      body: {
        name: 'hello-web',
        version: '1.0.0',
        files: new Map([
          ['hello-web-1.0.0.tgz', 'sha256:3eaee921316e5edc8f87c6814a29e595e39e39e80ea04a1f980f0e7d7a6c67ef'],
        ]),
      },
    });
  });

  it('writes the same shape back (sorted Chart.yaml keys, "...", files map) and reads it again', () => {
    const text = provenanceBodyText(
      { version: '1.0.0', name: 'x', apiVersion: 'v2' },
      'x-1.0.0.tgz',
      'sha256:ab',
    );
    expect(text).toBe('apiVersion: v2\nname: x\nversion: 1.0.0\n\n...\nfiles:\n  x-1.0.0.tgz: sha256:ab');
    expect(parseProvenanceBody(text)).toMatchObject({ ok: true, body: { name: 'x', version: '1.0.0' } });
  });

  it.each([
    ['no separator', 'name: x\nversion: 1\n'],
    ['two separators', 'name: x\n...\nfiles: {}\n...\nmore: 1'],
    ['no files map', 'name: x\nversion: 1.0.0\n\n...\nsums: {}'],
    ['no chart name', 'version: 1.0.0\n\n...\nfiles: {}'],
    ['not YAML', ': : :\n\n...\nfiles: {}'],
  ])('refuses a body with %s', (_, text) => {
    expect(parseProvenanceBody(text).ok).toBe(false);
  });
});

describe('signChart + verifyProvenance (openpgp.js)', () => {
  it('verifies its own signature and names the signer', async () => {
    const prov = await signChart(archive, chart, signer.privateKey);
    const verdict = await verifyProvenance(prov, await readPublicKeyring(signer.publicKey), subject);
    expect(verdict).toMatchObject({ ok: true, signer: { userIds: ['Signer'] } });
  });

  it('refuses, with PROVENANCE_INVALID, every way the provenance can be wrong', async () => {
    const prov = await signChart(archive, chart, signer.privateKey);
    const keyring = await readPublicKeyring(signer.publicKey);
    const cases: [string, Promise<unknown>, RegExp][] = [
      ['other key', verifyProvenance(prov, await readPublicKeyring(other.publicKey), subject), /key/],
      ['other chart', verifyProvenance(prov, keyring, { ...subject, name: 'api' }), /is for web 1\.2\.3/],
      [
        'other version',
        verifyProvenance(prov, keyring, { ...subject, version: '1.2.4' }),
        /is for web 1\.2\.3/,
      ],
      [
        'other digest',
        verifyProvenance(prov, keyring, { ...subject, digest: `sha256:${'0'.repeat(64)}` }),
        /digest/,
      ],
      ['not signed', verifyProvenance('hello', keyring, subject), /clear-signed/],
      [
        'edited text',
        verifyProvenance(prov.replace('version: 1.2.3', 'version: 1.2.4'), keyring, {
          ...subject,
          version: '1.2.4',
        }),
        /signature/,
      ],
    ];
    for (const [name, verdict, message] of cases) {
      expect(await verdict, name).toMatchObject({
        ok: false,
        code: 'PROVENANCE_INVALID',
        message: expect.stringMatching(message),
      });
    }
  });

  it('finds the digest by the canonical <name>-<version>.tgz when the upload was renamed', async () => {
    const prov = await signChart(archive, chart, signer.privateKey);
    const verdict = await verifyProvenance(prov, await readPublicKeyring(signer.publicKey), {
      ...subject,
      archiveName: 'renamed.tgz',
    });
    expect(verdict.ok).toBe(true);
  });

  it('refuses to sign bytes that are not the chart’s archive', async () => {
    await expect(signChart(new Uint8Array([1]), chart, signer.privateKey)).rejects.toThrow(/digest/);
  });
});

describe('readPublicKeyring', () => {
  it('is a retryable KEYRING_INVALID for no armor, garbage, or a private key', async () => {
    for (const text of [
      '',
      'not a key',
      signer.privateKey,
      '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxx\n-----END PGP PUBLIC KEY BLOCK-----',
    ]) {
      const error = await readPublicKeyring(text).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PromoterError);
      expect(error).toMatchObject({ code: 'KEYRING_INVALID', disposition: 'retryable' });
    }
  });
});

describe('chartOfProvenanceUpload', () => {
  const object = {
    bucket: 'b',
    key: 'incoming/web-1.0.0.tgz.prov',
    versionId: 'v',
    size: 900,
    eventTime: 't',
  };
  it('maps a .prov upload to its chart (newest version, no size) and ignores everything else', () => {
    expect(chartOfProvenanceUpload(object, 'incoming/')).toEqual({
      bucket: 'b',
      key: 'incoming/web-1.0.0.tgz',
      eventTime: 't',
    });
    expect(
      chartOfProvenanceUpload({ ...object, key: 'incoming/web-1.0.0.tgz' }, 'incoming/'),
    ).toBeUndefined();
    expect(
      chartOfProvenanceUpload({ ...object, key: 'incoming/notes.txt.prov' }, 'incoming/'),
    ).toBeUndefined();
    expect(chartOfProvenanceUpload(object, 'other/')).toBeUndefined();
  });

  it('carries both readings of a key that reads two ways over to the chart (s3-key-encoding.ts)', () => {
    expect(
      chartOfProvenanceUpload(
        {
          ...object,
          key: 'incoming/web-1.0.0 build.1.tgz.prov',
          deliveredKey: 'incoming/web-1.0.0+build.1.tgz.prov',
        },
        'incoming/',
      ),
    ).toEqual({
      bucket: 'b',
      key: 'incoming/web-1.0.0 build.1.tgz',
      deliveredKey: 'incoming/web-1.0.0+build.1.tgz',
      eventTime: 't',
    });
  });
});
