import type { Values } from '../manifests/release-values';

/**
 * Values that look like credentials are refused (VALUES_SECRET_SUSPECTED) before anything is read or
 * committed: `spec.values` is plain text in the cluster repository, readable by everyone who can read
 * the repository and kept in its history for good. Flux's answer for secrets is a `valuesFrom`
 * Secret (https://fluxcd.io/flux/components/helm/helmreleases/#values-references), encrypted in git
 * with SOPS (https://fluxcd.io/flux/guides/mozilla-sops/) or kept out of it.
 *
 * Two rules, both on the uploaded values only (never on what the repository already holds):
 * - a string in a well-known credential format, wherever it is: a PEM private key, an AWS access key
 *   id, a GitHub or Slack token (formats as gitleaks' default rules describe them,
 *   https://github.com/gitleaks/gitleaks/blob/master/config/gitleaks.toml);
 * - a non-empty string under a key whose last word says it holds one (`password`, `secret`, `token`,
 *   `apiKey`, `privateKey`, `accessKey`, `secretKey`, `clientSecret`…), or the `value` of an
 *   environment variable so named (`{ name: DB_PASSWORD, value: … }`), unless the key names a Secret
 *   rather than holding one (`existingSecret…`, `…Name`, `…Ref`): the convention of the Bitnami
 *   charts (`auth.existingSecret`, `auth.existingSecretPasswordKey`).
 *
 * The refusal names the path, never the value.
 */
const CREDENTIAL_FORMATS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: 'a PEM private key', pattern: /-----BEGIN[A-Z ]* PRIVATE KEY( BLOCK)?-----/ },
  { name: 'an AWS access key id', pattern: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/ },
  { name: 'a GitHub token', pattern: /\b(?:gh[pousr]_[0-9A-Za-z]{36}|github_pat_[0-9A-Za-z_]{82})\b/ },
  { name: 'a Slack token', pattern: /\bxox[baprs]-[0-9A-Za-z-]{10,}/ },
];

const SENSITIVE_LAST_WORDS = new Set(['password', 'passwd', 'passphrase', 'secret', 'token']);
const SENSITIVE_LAST_PAIRS = new Set(['api key', 'private key', 'access key', 'secret key', 'client secret']);
const REFERENCE_LAST_WORDS = new Set(['name', 'ref', 'reference', 'file', 'path', 'env']);

/** `existingSecretPasswordKey` → existing secret password key; `api_key`, `api-key` → api key. */
const wordsOf = (key: string): string[] =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());

/** Whether the key's name says its value is a credential (not a reference to one). */
export const isSensitiveKey = (key: string): boolean => {
  const words = wordsOf(key);
  const last = words.at(-1);
  if (last === undefined || words[0] === 'existing' || REFERENCE_LAST_WORDS.has(last)) return false;
  return SENSITIVE_LAST_WORDS.has(last) || SENSITIVE_LAST_PAIRS.has(words.slice(-2).join(' '));
};

export interface SuspectedSecret {
  /** Dotted path of the value (`auth.password`, `extraEnv[2].value`). */
  readonly path: string;
  readonly why: string;
}

const isMap = (value: unknown): value is Values =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every value of `values` that looks like a credential, in document order. */
export const suspectedSecrets = (values: unknown, path = ''): SuspectedSecret[] => {
  if (typeof values === 'string') {
    const format = CREDENTIAL_FORMATS.find(({ pattern }) => pattern.test(values));
    return format ? [{ path: path || '(root)', why: `holds ${format.name}` }] : [];
  }
  if (Array.isArray(values)) return values.flatMap((item, i) => suspectedSecrets(item, `${path}[${i}]`));
  if (!isMap(values)) return [];
  // A Kubernetes EnvVar (`{ name: DB_PASSWORD, value: … }`): the name says what the value is.
  const envVar =
    typeof values.name === 'string' &&
    typeof values.value === 'string' &&
    values.value.trim() !== '' &&
    isSensitiveKey(values.name);
  return Object.entries(values).flatMap(([key, value]) => {
    const at = path ? `${path}.${key}` : key;
    const inside = suspectedSecrets(value, at);
    if (inside.length > 0) return inside;
    if (envVar && key === 'value')
      return [{ path: at, why: `the variable ${String(values.name)} names a credential` }];
    if (typeof value === 'string' && value.trim() !== '' && isSensitiveKey(key))
      return [{ path: at, why: `"${key}" names a credential` }];
    return [];
  });
};

/** The VALUES_SECRET_SUSPECTED message: every path and why, never a value. */
export const secretsMessage = (secrets: readonly SuspectedSecret[]): string =>
  `values look like credentials, which must not be committed as plain text: ${secrets
    .map((s) => `${s.path} (${s.why})`)
    .join(', ')}; reference a Secret with spec.valuesFrom instead`;
