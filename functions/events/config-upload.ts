/**
 * Configuration uploads: per-environment values for a chart, under the config prefix (default
 * `config/`), one key per chart and environment (contract, README "Configuration changes"):
 *
 *   <config prefix><environment>/<chart>.values.yaml
 *
 * e.g. `config/staging/hello-web.values.yaml` sets `spec.values` of
 * `environments/staging/hello-web.yaml`. The EventBridge rule forwards `<config prefix>*.values.yaml`
 * (infra/intake/chart-intake.ts), and the local runtime the same keys.
 */
export const VALUES_SUFFIX = '.values.yaml';

export const DEFAULT_CONFIG_PREFIX = 'config/';

/** EventBridge wildcard semantics of `<prefix>*.values.yaml` (case-sensitive, whole key). */
export const isForwardedConfigKey = (key: string, prefix: string): boolean =>
  key.length >= prefix.length + VALUES_SUFFIX.length && key.startsWith(prefix) && key.endsWith(VALUES_SUFFIX);

// A DNS-1123 label (environment: a namespace and a directory), and Helm's chart-name rule.
const ENVIRONMENT = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CHART = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export type ConfigUploadKey =
  | { readonly ok: true; readonly environment: string; readonly chart: string }
  | { readonly ok: false; readonly code: 'VALUES_KEY_INVALID'; readonly message: string };

/** Reads a forwarded config key (isForwardedConfigKey is true for it) as an environment and a chart. */
export const parseConfigKey = (key: string, prefix: string): ConfigUploadKey => {
  const parts = key.slice(prefix.length, key.length - VALUES_SUFFIX.length).split('/');
  const [environment, chart] = parts;
  const layout = `${prefix}<environment>/<chart>${VALUES_SUFFIX}`;
  if (parts.length !== 2 || environment === undefined || chart === undefined) {
    return { ok: false, code: 'VALUES_KEY_INVALID', message: `${key} is not ${layout}` };
  }
  if (!ENVIRONMENT.test(environment)) {
    return {
      ok: false,
      code: 'VALUES_KEY_INVALID',
      message: `${key}: "${environment}" is not an environment name (a DNS-1123 label); expected ${layout}`,
    };
  }
  if (!CHART.test(chart) || chart.length > 63) {
    return {
      ok: false,
      code: 'VALUES_KEY_INVALID',
      message: `${key}: "${chart}" is not a chart name (lower-case letters, digits and "-"); expected ${layout}`,
    };
  }
  return { ok: true, environment, chart };
};

/** The key `chart-promoter values set` uploads to. */
export const configKey = (prefix: string, environment: string, chart: string): string =>
  `${prefix}${environment}/${chart}${VALUES_SUFFIX}`;
