// Bearer JWTs verified with jose against a JWKS (remote, discovered from the issuer, or inline).
import type { MiddlewareHandler } from 'hono';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AppEnv } from '../env';
import { ApiError } from './problem';

export type Scope = 'tracking:read' | 'tracking:write' | 'tracking:admin' | 'tracking:operator';
/**
 * `carriers` is null for the handler's own staff (they see the whole tenant). A partner token carries
 * airline codes in AUTH_CARRIERS_CLAIM (designators like LA, 3-digit prefixes like 045): it sees only
 * entities tied to those codes and never writes.
 */
export type Principal = { tenantId: string; subject: string; scopes: Set<string>; carriers: string[] | null };

const CARRIER = /^([A-Z0-9]{2}|\d{3})$/;

// Asymmetric only: `none` and HS* (a public key misused as an HMAC secret) never verify.
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// Key sets live for the isolate: jose caches remote JWKS and refetches on an unknown `kid`.
const keySets = new Map<string, JWTVerifyGetKey>();

// A site sends the same token with every request: a verified token is remembered (per isolate)
// until it expires, so the signature is checked once, not on every append.
const verified = new Map<string, { principal: Principal; exp: number; nbf: number }>();
const VERIFIED_MAX = 2_000;

function remember(token: string, principal: Principal, payload: JWTPayload) {
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  verified.set(token, { principal, exp: payload.exp!, nbf: payload.nbf ?? 0 });
}

async function keySetFor(env: Env): Promise<JWTVerifyGetKey> {
  const cacheKey = env.AUTH_JWKS || env.AUTH_JWKS_URL || env.AUTH_ISSUER || '';
  const cached = keySets.get(cacheKey);
  if (cached) return cached;
  let keys: JWTVerifyGetKey;
  if (env.AUTH_JWKS) keys = createLocalJWKSet(JSON.parse(env.AUTH_JWKS));
  else if (env.AUTH_JWKS_URL) keys = createRemoteJWKSet(new URL(env.AUTH_JWKS_URL));
  else if (env.AUTH_ISSUER) {
    const res = await fetch(new URL('.well-known/openid-configuration', env.AUTH_ISSUER.replace(/\/?$/, '/')));
    const { jwks_uri } = (await res.json()) as { jwks_uri?: string };
    if (!jwks_uri) throw new Error('issuer has no jwks_uri');
    keys = createRemoteJWKSet(new URL(jwks_uri));
  } else throw new Error('no AUTH_JWKS, AUTH_JWKS_URL or AUTH_ISSUER configured');
  keySets.set(cacheKey, keys);
  return keys;
}

export const unauthorized = (detail: string, error = 'invalid_token') =>
  new ApiError(401, 'unauthorized', detail, {}, {
    'www-authenticate': `Bearer realm="tracktrace", error="${error}", error_description="${detail.replaceAll('"', "'")}"`,
  });

function describe(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'the token has expired';
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'nbf' || e.claim === 'iat') return 'the token is not valid yet';
    return `the token's ${e.claim} claim is not accepted`;
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm that is not accepted';
  // Which key is the matter: a token signed with another development key (another data folder) has
  // a kid this server does not know; one signed with another key under a known kid fails the signature.
  if (e instanceof errors.JWSSignatureVerificationFailed) {
    return 'the token signature does not verify: the token was altered, or signed with another key under the kid of a key this server trusts';
  }
  if (e instanceof errors.JWKSNoMatchingKey) {
    return 'the token is signed with a key this server does not trust (none of its keys matches the kid and algorithm of the token): a token of another issuer, or signed with another development key (npm start trusts only the key in its TRACKTRACE_DATA_DIR)';
  }
  return 'the token is not a valid JWT';
}

export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header);
  if (!match) throw unauthorized('send a bearer token in the Authorization header', 'invalid_request');
  const { principal, exp } = await verifyToken(c.env, match[1]!);
  c.set('principal', principal);
  c.set('tokenExp', exp);
  await next();
};

/**
 * Verifies a bearer token (also used by live subscriptions, whose token may come in a WebSocket's first
 * message): the principal and the token's expiry (epoch seconds). Throws the 401/503 ApiError the
 * middleware answers.
 */
export async function verifyToken(env: Env, token: string): Promise<{ principal: Principal; exp: number }> {
  const skew = Number(env.AUTH_CLOCK_SKEW_S || 300);
  const known = verified.get(token);
  const now = Date.now() / 1000;
  if (known && now <= known.exp + skew && now >= known.nbf - skew) return { principal: known.principal, exp: known.exp };
  let payload: JWTPayload;
  try {
    const keys = await keySetFor(env);
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ALGORITHMS,
      audience: env.AUTH_AUDIENCE || 'tracktrace-api',
      issuer: env.AUTH_ISSUER || undefined,
      clockTolerance: skew,
      requiredClaims: ['exp'],
    }));
  } catch (e) {
    // the issuer's keys could not be fetched: not the client's fault
    if (e instanceof errors.JWKSTimeout || !(e instanceof errors.JOSEError)) {
      throw new ApiError(503, 'auth_unavailable', 'the token could not be checked; try again', {}, { 'retry-after': '5' });
    }
    throw unauthorized(describe(e));
  }
  const tenantId = payload[env.AUTH_TENANT_CLAIM || 'tenant_id'];
  if (typeof tenantId !== 'string' || !TENANT_ID.test(tenantId)) throw unauthorized('the token names no valid tenant');
  const scp = payload.scp;
  const scopes = new Set<string>(
    typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : Array.isArray(scp) ? scp.map(String) : [],
  );
  const claim = payload[env.AUTH_CARRIERS_CLAIM || 'carriers'];
  if (claim !== undefined && !(Array.isArray(claim) && claim.length <= 50 && claim.every((x) => typeof x === 'string' && CARRIER.test(x)))) {
    throw unauthorized('the carriers claim must be a list of airline codes such as ["LA", "045"]');
  }
  const carriers = claim === undefined ? null : [...new Set(claim as string[])];
  const principal = { tenantId, subject: String(payload.sub ?? 'unknown').slice(0, 200), scopes, carriers };
  remember(token, principal, payload);
  return { principal, exp: payload.exp! };
}

export const requireScope = (scope: Scope): MiddlewareHandler<AppEnv> => async (c, next) => {
  const principal = c.get('principal');
  if (principal.carriers && scope !== 'tracking:read') {
    throw new ApiError(403, 'partner_read_only', 'a partner token (with a carriers claim) can only read');
  }
  if (!principal.scopes.has(scope)) {
    throw new ApiError(403, 'insufficient_scope', `this needs the ${scope} scope`, {}, {
      'www-authenticate': `Bearer realm="tracktrace", error="insufficient_scope", scope="${scope}"`,
    });
  }
  await next();
};
