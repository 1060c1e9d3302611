import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { GetSecretValueCommand, GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { generateKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3KeyringSource } from '../../../functions/adapters/pgp-s3-keyring';
import { SecretsKeyringSource } from '../../../functions/adapters/secrets/pgp-keyring';
import { type S3Endpoint, startS3Endpoint } from '../../../functions/local/s3-endpoint';
import type { Clock } from '../../../functions/ports/clock';
import { readPublicKeyring } from '../../../functions/provenance/keyring';

let dir: string;
let s3: S3Endpoint;
let armored: string;

/** A clock the test moves by hand (TTL checks). */
const manualClock = (): Clock & { advance(ms: number): void } => {
  let now = 0;
  return {
    now: () => new Date(now),
    sleep: async () => undefined,
    advance: (ms) => {
      now += ms;
    },
  };
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'chart-promoter-keyring-'));
  s3 = await startS3Endpoint({ directory: dir, bucket: 'keys' });
  const keys = await Promise.all(
    ['Alice', 'Bob'].map((name) =>
      generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name }], format: 'armored' }),
    ),
  );
  armored = keys.map((key) => key.publicKey).join('\n');
});
afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('S3KeyringSource (s3rver)', () => {
  it('reads the armored keyring object, and rereads it only after the TTL', async () => {
    // Prepare
    await s3.client.send(new PutObjectCommand({ Bucket: 'keys', Key: 'keyring.asc', Body: armored }));
    const clock = manualClock();
    const source = new S3KeyringSource({
      client: s3.client,
      bucket: 'keys',
      key: 'keyring.asc',
      ttlMs: 1000,
      clock,
    });
    // Act
    const first = await source.publicKeys();
    await s3.client.send(new PutObjectCommand({ Bucket: 'keys', Key: 'keyring.asc', Body: 'rotated' }));
    const cached = await source.publicKeys();
    clock.advance(1001);
    const reread = await source.publicKeys();
    // Assess
    expect((await readPublicKeyring(first)).map((key) => key.getUserIDs()[0])).toEqual(['Alice', 'Bob']);
    expect(cached).toBe(first);
    expect(reread).toBe('rotated');
  });

  it('fails with a retryable KEYRING_UNAVAILABLE when the object is missing (and does not cache it)', async () => {
    const source = new S3KeyringSource({ client: s3.client, bucket: 'keys', key: 'missing.asc' });
    await expect(source.publicKeys()).rejects.toMatchObject({
      code: 'KEYRING_UNAVAILABLE',
      disposition: 'retryable',
    });
    await s3.client.send(new PutObjectCommand({ Bucket: 'keys', Key: 'missing.asc', Body: armored }));
    await expect(source.publicKeys()).resolves.toBe(armored);
  });
});

describe('SecretsKeyringSource (fake Secrets Manager client)', () => {
  const fake = (answer: () => Promise<GetSecretValueCommandOutput>) => {
    const ids: (string | undefined)[] = [];
    return {
      ids,
      client: {
        send: async (command: GetSecretValueCommand) => {
          ids.push(command.input.SecretId);
          return answer();
        },
      },
    };
  };

  it('reads an armored SecretString, or JSON {"publicKeys": …}', async () => {
    const raw = fake(async () => ({ SecretString: armored, $metadata: {} }));
    const json = fake(async () => ({ SecretString: JSON.stringify({ publicKeys: armored }), $metadata: {} }));
    expect(await new SecretsKeyringSource({ client: raw.client, secretId: 'arn:keys' }).publicKeys()).toBe(
      armored,
    );
    expect(await new SecretsKeyringSource({ client: json.client, secretId: 'arn:keys' }).publicKeys()).toBe(
      armored,
    );
    expect(raw.ids).toEqual(['arn:keys']);
  });

  it('fails retryably on an API error, a binary secret or other content', async () => {
    const cases = [
      fake(async () => Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))),
      fake(async () => ({ SecretBinary: new Uint8Array([1]), $metadata: {} })),
      fake(async () => ({ SecretString: '{"keys": 1}', $metadata: {} })),
    ];
    for (const { client } of cases) {
      await expect(new SecretsKeyringSource({ client, secretId: 's' }).publicKeys()).rejects.toMatchObject({
        code: 'KEYRING_UNAVAILABLE',
        disposition: 'retryable',
      });
    }
  });
});
