import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * The event Lambda hands a function behind a function URL (auth type NONE) for one HTTP request:
 * payload format 2.0, header names lower-cased, the body as text unless it is binary
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads).
 */
export interface HttpRequestSpec {
  readonly method?: string;
  readonly path?: string;
  /** Header names in any case; they arrive lower-cased. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly region?: string;
}

const URL_ID = 'abcdefghijklmnopqrstuvwxyz012345';

/** `12/Mar/2020:19:03:58 +0000`, the format of requestContext.time. */
const clfTime = (date: Date): string => {
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
};

export const functionUrlEvent = (spec: HttpRequestSpec = {}): APIGatewayProxyEventV2 => {
  const method = spec.method ?? 'POST';
  const path = spec.path ?? '/';
  const region = spec.region ?? 'eu-west-1';
  const now = new Date();
  const headers = Object.fromEntries(
    Object.entries({ 'user-agent': 'Go-http-client/1.1', ...spec.headers }).map(([name, value]) => [
      name.toLowerCase(),
      value,
    ]),
  );
  const binary = spec.body instanceof Uint8Array;
  const body =
    spec.body === undefined
      ? undefined
      : binary
        ? Buffer.from(spec.body as Uint8Array).toString('base64')
        : (spec.body as string);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: `${URL_ID}.lambda-url.${region}.on.aws`, ...headers },
    requestContext: {
      accountId: 'anonymous',
      apiId: URL_ID,
      domainName: `${URL_ID}.lambda-url.${region}.on.aws`,
      domainPrefix: URL_ID,
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.10',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: binary,
  };
};
