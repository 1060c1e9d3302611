import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isSensitiveKey, suspectedSecrets } from '../../../../functions/promotion/values/values-secrets';

/**
 * What VALUES_SECRET_SUSPECTED refuses, and what it must let through: Secret *names* and keys of
 * Secrets (the Bitnami charts' `auth.existingSecret`, `auth.existingSecretPasswordKey`), empty
 * passwords, numbers and booleans.
 */
describe('suspectedSecrets', () => {
  it.each([
    ['auth:\n  password: hunter2', 'auth.password'],
    ['db: { rootPassword: x }', 'db.rootPassword'],
    ['api_key: abc', 'api_key'],
    ['oauth: { clientSecret: abc }', 'oauth.clientSecret'],
    ['s3: { secret-key: abc }', 's3.secret-key'],
    ['slack: { botToken: abc }', 'slack.botToken'],
    ['env: [{ name: DB_PASSWORD, value: hunter2 }]', 'env[0].value'],
    ['tls: { key: "-----BEGIN RSA PRIVATE KEY-----\\nMIIE\\n-----END RSA PRIVATE KEY-----" }', 'tls.key'],
    ['aws: { id: AKIAIOSFODNN7EXAMPLE }', 'aws.id'],
    [`git: { auth: ghp_${'a'.repeat(36)} }`, 'git.auth'],
    ['notify: [xoxb-1234567890-abcdef]', 'notify[0]'],
  ])('finds %s at %s', (yaml, path) => {
    expect(suspectedSecrets(parse(yaml)).map((s) => s.path)).toEqual([path]);
  });

  it.each([
    ['auth:\n  existingSecret: web-auth\n  existingSecretPasswordKey: password'],
    ['auth:\n  password: ""'],
    ['tls:\n  secretName: web-tls'],
    ['db:\n  passwordSecretRef: db-creds'],
    ['token:\n  ttl: 3600\n  enabled: true'],
    ['serviceAccount:\n  tokenFile: /var/run/token'],
    ['env: [{ name: LOG_LEVEL, value: debug }]'],
    ['image:\n  tag: "1.27.4"\nreplicaCount: 3'],
  ])('lets %s through', (yaml) => {
    expect(suspectedSecrets(parse(yaml))).toEqual([]);
  });

  it('splits camelCase, snake_case and kebab-case keys into words', () => {
    expect(
      ['adminPassword', 'ADMIN_PASSWORD', 'admin-password', 'privateKey', 'API_KEY'].map(isSensitiveKey),
    ).toEqual([true, true, true, true, true]);
    expect(
      ['existingSecret', 'secretName', 'passwordKeyRef', 'publicKey', 'keyId'].map(isSensitiveKey),
    ).toEqual([false, false, false, false, false]);
  });
});
