import { describe, expect, it } from 'vitest';
import { parseFeedbackConfig } from '../../../functions/config/feedback-config';
import { parseS3Uri } from '../../../functions/config/integrations-config';
import { PROMOTE_ENV, parsePromoteConfig } from '../../../functions/config/promote-config';
import { PromoterError } from '../../../functions/errors';

const REPO = { CHART_PROMOTER_REPOSITORY: 'acme/cluster' };
const KEYRING_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chart-promoter/keyring-AbCdEf';
const JIRA_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chart-promoter/jira-GhIjKl';

const configError = (env: Record<string, string | undefined>): PromoterError => {
  try {
    parsePromoteConfig({ ...REPO, ...env });
  } catch (error) {
    if (error instanceof PromoterError) return error;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
};

describe('provenance keyring variables', () => {
  it('has no keyring and no Jira when none of the variables is set (or they are empty)', () => {
    // Act
    const config = parsePromoteConfig({
      ...REPO,
      CHART_PROMOTER_KEYRING_S3_URI: '',
      CHART_PROMOTER_KEYRING_SECRET_ARN: '',
      CHART_PROMOTER_JIRA_BASE_URL: '',
      CHART_PROMOTER_JIRA_SECRET_ARN: '',
    });
    // Assess
    expect(config).not.toHaveProperty('keyring');
    expect(config).not.toHaveProperty('jira');
  });

  it('reads an S3 keyring as bucket and key, the key taken literally', () => {
    // Act
    const config = parsePromoteConfig({
      ...REPO,
      [PROMOTE_ENV.keyringS3Uri]: 's3://acme-keys.eu/chart-promoter/team a/keyring%2B.asc',
    });
    // Assess
    expect(config.keyring).toEqual({
      kind: 's3',
      bucket: 'acme-keys.eu',
      key: 'chart-promoter/team a/keyring%2B.asc',
    });
  });

  it('reads a Secrets Manager keyring', () => {
    // Act
    const config = parsePromoteConfig({ ...REPO, [PROMOTE_ENV.keyringSecretArn]: KEYRING_ARN });
    // Assess
    expect(config.keyring).toEqual({ kind: 'secret', secretArn: KEYRING_ARN });
  });

  it('refuses both keyring sources at once, as CONFIG_INVALID', () => {
    // Act
    const error = configError({
      CHART_PROMOTER_KEYRING_S3_URI: 's3://acme-keys/keyring.asc',
      CHART_PROMOTER_KEYRING_SECRET_ARN: KEYRING_ARN,
    });
    // Assess
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', disposition: 'terminal' });
    expect(error.message).toContain(
      'CHART_PROMOTER_KEYRING_S3_URI: set either it or CHART_PROMOTER_KEYRING_SECRET_ARN, not both',
    );
  });

  it.each([
    ['https://acme-keys.s3.amazonaws.com/keyring.asc', 'must be s3://<bucket>/<key>'],
    ['s3://acme-keys', 'must be s3://<bucket>/<key>'],
    ['s3://acme-keys/', 'must be s3://<bucket>/<key>'],
    ['s3://Acme_Keys/keyring.asc', '"Acme_Keys" is not a valid S3 bucket name'],
    ['s3://acme-keys/keys/', 'must name an object, not a folder'],
    ['s3://acme-keys/keys/*.asc', 'the key may not contain "*" or "?"'],
  ])('refuses the keyring URI %s', (uri, message) => {
    // Act
    const error = configError({ CHART_PROMOTER_KEYRING_S3_URI: uri });
    // Assess
    expect(error.message).toContain(`CHART_PROMOTER_KEYRING_S3_URI: ${message}`);
  });

  it('refuses a keyring secret that is not an ARN', () => {
    // Act + Assess
    expect(configError({ CHART_PROMOTER_KEYRING_SECRET_ARN: 'chart-promoter/keyring' }).message).toContain(
      'CHART_PROMOTER_KEYRING_SECRET_ARN: must be a Secrets Manager ARN',
    );
  });

  it('parseS3Uri rejects an over-long key (S3 keys are at most 1024 bytes)', () => {
    // Act + Assess
    expect(parseS3Uri(`s3://acme-keys/${'é'.repeat(513)}`)).toEqual({
      ok: false,
      message: 'the key is over 1024 bytes',
    });
    expect(parseS3Uri(`s3://acme-keys/${'e'.repeat(1024)}`).ok).toBe(true);
  });
});

describe('Jira variables', () => {
  it('reads both, without the trailing slash of the site root', () => {
    // Act
    const config = parsePromoteConfig({
      ...REPO,
      CHART_PROMOTER_JIRA_BASE_URL: 'https://jira.example.com/jira/',
      CHART_PROMOTER_JIRA_SECRET_ARN: JIRA_ARN,
    });
    // Assess
    expect(config.jira).toEqual({ baseUrl: 'https://jira.example.com/jira', secretArn: JIRA_ARN });
  });

  it('accepts plain http on loopback only (a local Jira in tests)', () => {
    // Act
    const config = parsePromoteConfig({
      ...REPO,
      CHART_PROMOTER_JIRA_BASE_URL: 'http://127.0.0.1:8080',
      CHART_PROMOTER_JIRA_SECRET_ARN: JIRA_ARN,
    });
    // Assess
    expect(config.jira?.baseUrl).toBe('http://127.0.0.1:8080');
  });

  it.each([
    [
      { CHART_PROMOTER_JIRA_BASE_URL: 'https://jira.example.com' },
      'CHART_PROMOTER_JIRA_SECRET_ARN: required',
    ],
    [{ CHART_PROMOTER_JIRA_SECRET_ARN: JIRA_ARN }, 'CHART_PROMOTER_JIRA_BASE_URL: required'],
  ])('needs both variables or neither: %o', (env, message) => {
    // Act + Assess
    expect(configError(env).message).toContain(message);
  });

  it.each([
    ['http://jira.example.com', 'must be an https:// URL (http only on 127.0.0.1/localhost)'],
    ['jira.example.com', 'must be an https:// URL'],
    ['https://jira.example.com/rest/api/2', 'must be the site root, without /rest/api/...'],
    ['https://jira.example.com/?token=x', 'must be the site root, without query'],
    ['https://me:secret@jira.example.com', 'must be the site root, without query, fragment or credentials'],
  ])('refuses the Jira base URL %s', (url, message) => {
    // Act
    const error = configError({
      CHART_PROMOTER_JIRA_BASE_URL: url,
      CHART_PROMOTER_JIRA_SECRET_ARN: JIRA_ARN,
    });
    // Assess
    expect(error.message).toContain(`CHART_PROMOTER_JIRA_BASE_URL: ${message}`);
  });
});

describe('feedback configuration', () => {
  it('carries the same integrations (same variables, same meaning)', () => {
    // Act
    const config = parseFeedbackConfig({
      ...REPO,
      CHART_PROMOTER_LEDGER_TABLE: 'chart-promoter-ledger',
      CHART_PROMOTER_KEYRING_SECRET_ARN: KEYRING_ARN,
      CHART_PROMOTER_JIRA_BASE_URL: 'https://example.atlassian.net',
      CHART_PROMOTER_JIRA_SECRET_ARN: JIRA_ARN,
    });
    // Assess
    expect(config).toMatchObject({
      keyring: { kind: 'secret', secretArn: KEYRING_ARN },
      jira: { baseUrl: 'https://example.atlassian.net', secretArn: JIRA_ARN },
    });
  });

  it('fails on the same cross-variable rules', () => {
    // Act + Assess
    expect(() =>
      parseFeedbackConfig({
        ...REPO,
        CHART_PROMOTER_LEDGER_TABLE: 'chart-promoter-ledger',
        CHART_PROMOTER_JIRA_SECRET_ARN: JIRA_ARN,
      }),
    ).toThrow('CHART_PROMOTER_JIRA_BASE_URL: required when CHART_PROMOTER_JIRA_SECRET_ARN is set');
  });
});
