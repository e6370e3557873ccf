import { generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { HttpError, type SandboxRequest } from '../common/http';

// Client-credentials tokens signed RS256 like Auth0's, with the granted scopes in the `scope` claim.

export interface SandboxClient {
  clientId: string;
  clientSecret: string;
  scopes: string[];
}

export interface Grant {
  clientId: string;
  scopes: Set<string>;
}

const unauthorized = (message: string): HttpError =>
  new HttpError(401, { statusCode: 401, error: 'Unauthorized', message, attributes: { error: message } });

export class TokenIssuer {
  private keys: { privateKey: CryptoKey; publicKey: CryptoKey } | null = null;
  private verified = new Map<string, { grant: Grant; exp: number }>();
  issued = 0;

  constructor(
    private readonly domain: string,
    private readonly clients: SandboxClient[],
    private readonly ttlSeconds: number,
  ) {}

  get issuer(): string {
    return `https://${this.domain}/`;
  }
  get audience(): string {
    return `https://${this.domain}/api/v2/`;
  }

  async init(): Promise<void> {
    this.keys = await generateKeyPair('RS256');
  }

  /** POST /oauth/token. Errors carry Auth0's OAuth error bodies. */
  async token(form: URLSearchParams): Promise<Record<string, unknown>> {
    const grantType = form.get('grant_type');
    if (grantType !== 'client_credentials') {
      throw new HttpError(403, {
        error: 'unauthorized_client',
        error_description: `Grant type '${grantType ?? ''}' not allowed for the client.`,
      });
    }
    const client = this.clients.find((c) => c.clientId === form.get('client_id'));
    if (!client || client.clientSecret !== form.get('client_secret')) {
      throw new HttpError(401, { error: 'access_denied', error_description: 'Unauthorized' });
    }
    const audience = form.get('audience');
    if (audience !== this.audience) {
      throw new HttpError(403, {
        error: 'access_denied',
        error_description: `Service not enabled within domain: ${audience ?? ''}`,
      });
    }
    const scope = client.scopes.join(' ');
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ scope, gty: 'client-credentials', azp: client.clientId })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'sandbox' })
      .setIssuer(this.issuer)
      .setSubject(`${client.clientId}@clients`)
      .setAudience(this.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .sign(this.keys!.privateKey);
    this.issued++;
    return { access_token: jwt, scope, expires_in: this.ttlSeconds, token_type: 'Bearer' };
  }

  /** Checks the bearer token of a Management API call; 401 like Auth0's for a missing, bad or expired token. */
  async authenticate(req: SandboxRequest): Promise<Grant> {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/i.exec(header);
    if (!m) throw unauthorized('Missing authentication');
    const token = m[1]!;
    const cached = this.verified.get(token);
    const nowSec = Date.now() / 1000;
    if (cached) {
      if (cached.exp <= nowSec) throw unauthorized('Expired token received for JSON Web Token validation');
      return cached.grant;
    }
    try {
      const { payload } = await jwtVerify(token, this.keys!.publicKey, {
        issuer: this.issuer,
        audience: this.audience,
        algorithms: ['RS256'],
      });
      const grant: Grant = {
        clientId: String(payload.azp ?? ''),
        scopes: new Set(
          String(payload.scope ?? '')
            .split(' ')
            .filter(Boolean),
        ),
      };
      this.verified.set(token, { grant, exp: payload.exp ?? 0 });
      return grant;
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'ERR_JWT_EXPIRED')
        throw unauthorized('Expired token received for JSON Web Token validation');
      throw unauthorized('Invalid token');
    }
  }
}

/** 403 with Auth0's body unless the grant holds at least one of `anyOf`. */
export function requireScope(grant: Grant, ...anyOf: string[]): void {
  if (anyOf.some((s) => grant.scopes.has(s))) return;
  throw new HttpError(403, {
    statusCode: 403,
    error: 'Forbidden',
    message: `Insufficient scope, expected any of: ${anyOf.join(',')}`,
    errorCode: 'insufficient_scope',
  });
}
