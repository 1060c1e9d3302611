import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ProxyExchange, ProxyFaultRule } from '../fault-proxy';
import { REST_ROUTES } from './rest-routes';

/**
 * Real GitHub traffic recorded by @octokit/fixtures (scenarios/api.github.com/<name>/
 * normalized-fixture.json: nock definitions, one exchange per request, ids and shas normalised), and
 * the means to answer the adapter with it: each recorded answer becomes a canned answer of the fault
 * proxy (test/support/fault-proxy.ts) for the adapter request it stands for, in order; everything
 * else passes through to the stand-in behind the proxy.
 */

export interface RecordedExchange {
  readonly scenario: string;
  /** Upper-case HTTP method and path as recorded against api.github.com. */
  readonly method: string;
  readonly path: string;
  readonly requestBody: unknown;
  readonly status: number;
  readonly response: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

interface NockDefinition {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly status: number;
  readonly response?: unknown;
  readonly headers?: Record<string, string | number>;
}

export const recordedScenario = (scenario: string): RecordedExchange[] => {
  const file = createRequire(import.meta.url).resolve(
    `@octokit/fixtures/scenarios/api.github.com/${scenario}/normalized-fixture.json`,
  );
  const definitions = JSON.parse(readFileSync(file, 'utf8')) as NockDefinition[];
  return definitions.map((d) => ({
    scenario,
    method: d.method.toUpperCase(),
    path: d.path,
    requestBody: d.body === '' ? undefined : d.body,
    status: d.status,
    response: d.response === '' ? undefined : d.response,
    headers: Object.fromEntries(Object.entries(d.headers ?? {}).map(([k, v]) => [k, String(v)])),
  }));
};

/** The stand-in's route key for a request (`PATCH /repos/{owner}/{repo}/git/refs/{ref}`). */
export const routeKeyOf = (method: string, path: string): string => {
  const pathname = path.split('?')[0]!;
  if (method === 'POST' && pathname === '/graphql') return 'POST /graphql';
  const route = REST_ROUTES.find((r) => r.method === method && r.pattern.test(pathname));
  return route ? `${method} ${route.path}` : `${method} ${pathname}`;
};

// Framing headers describe the recorded bytes, not the (normalised) body sent again here.
const FRAMING = new Set(['content-length', 'connection', 'transfer-encoding', 'content-encoding']);

/**
 * A fault-proxy rule that answers the next adapter request to route `answers` with `exchange`'s
 * recorded status, headers and body.
 */
export const replayRule = (answers: string, exchange: RecordedExchange): ProxyFaultRule => {
  const [method, template] = answers.split(' ') as [string, string];
  const route = REST_ROUTES.find((r) => r.method === method && r.path === template);
  if (!route) throw new Error(`no stand-in route ${answers}`);
  return {
    method,
    path: new RegExp(route.pattern.source.replace(/\$$/, '(\\?.*)?$')),
    fault: {
      kind: 'status',
      status: exchange.status,
      body: exchange.response === undefined ? '' : JSON.stringify(exchange.response),
      headers: Object.fromEntries(Object.entries(exchange.headers).filter(([k]) => !FRAMING.has(k))),
    },
  };
};

/**
 * Where the adapter's request for a recorded answer differs from the request GitHub answered: a
 * recorded body field missing or of another JSON type. Only meaningful when both are the same route.
 */
export const requestDrift = (exchange: RecordedExchange, sent: ProxyExchange): string[] => {
  if (routeKeyOf(exchange.method, exchange.path) !== routeKeyOf(sent.method, sent.path)) {
    return [
      `${exchange.scenario}: recorded for ${exchange.method} ${exchange.path}, sent ${sent.method} ${sent.path}`,
    ];
  }
  const recorded = (exchange.requestBody ?? {}) as Record<string, unknown>;
  const body = (sent.requestBody ? JSON.parse(sent.requestBody) : {}) as Record<string, unknown>;
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  return Object.entries(recorded)
    .filter(([key, value]) => kind(body[key]) !== kind(value))
    .map(
      ([key, value]) =>
        `${exchange.scenario}: body.${key} recorded as ${kind(value)}, sent ${kind(body[key])}`,
    );
};

/**
 * Every `path: JSON type` of a value, arrays by their first item: compares the shape of the
 * stand-in's answers with GitHub's recorded ones.
 */
export const shapeOf = (value: unknown, at = ''): string[] => {
  if (Array.isArray(value)) return value.length === 0 ? [`${at}[]: empty`] : shapeOf(value[0], `${at}[]`);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .flatMap(([k, v]) => [`${at}.${k}`, ...shapeOf(v, `${at}.${k}`)])
      .sort();
  }
  return [`${at}: ${value === null ? 'null' : typeof value}`];
};
