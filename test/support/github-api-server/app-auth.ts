import { randomBytes, verify } from 'node:crypto';

/**
 * GitHub App authentication as GitHub does it
 * (https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/authenticating-as-a-github-app-installation):
 * the App signs a short-lived RS256 JWT (iss = App id) with its private key, exchanges it at
 * POST /app/installations/{id}/access_tokens for an installation token, and uses that token.
 */

export interface AppAuthConfig {
  readonly appId: number;
  readonly installationId: number;
  /** PEM public key matching the private key the client signs with. */
  readonly publicKey: string;
}

export const APP_TOKEN_ROUTE = '/app/installations/{installation_id}/access_tokens';
export const APP_TOKEN_PATTERN = /^\/app\/installations\/(\d+)\/access_tokens$/;

const b64url = (part: string) => Buffer.from(part, 'base64url');

export class AppTokenIssuer {
  private readonly issued = new Set<string>();

  constructor(private readonly config: AppAuthConfig) {}

  accepts(token: string): boolean {
    return this.issued.has(token);
  }

  /** Returns the status and body GitHub answers for a token exchange. */
  exchange(authorization: string | undefined, installationId: string): { status: number; body: unknown } {
    const jwt = /^bearer\s+(.+)$/i.exec(authorization ?? '')?.[1] ?? '';
    const [header, payload, signature] = jwt.split('.');
    const unauthorized = (message: string) => ({
      status: 401,
      body: { message, documentation_url: 'https://docs.github.com/rest', status: '401' },
    });
    if (!header || !payload || !signature) return unauthorized('A JSON web token could not be decoded');
    const valid = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      this.config.publicKey,
      b64url(signature),
    );
    if (!valid) return unauthorized("'Issuer' claim ('iss') must be an Integer");
    const claims = JSON.parse(b64url(payload).toString('utf8')) as { iss?: unknown; exp?: number };
    if (String(claims.iss) !== String(this.config.appId)) return unauthorized('Integration not found');
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) {
      return unauthorized("'Expiration time' claim ('exp') is too far in the future");
    }
    if (Number(installationId) !== this.config.installationId) {
      return {
        status: 404,
        body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
      };
    }
    const token = `ghs_${randomBytes(18).toString('base64url')}`;
    this.issued.add(token);
    return {
      status: 201,
      body: {
        token,
        expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
        permissions: { contents: 'write', pull_requests: 'write', metadata: 'read' },
        repository_selection: 'selected',
      },
    };
  }
}
