// The local development signing key: an ES256 key pair kept in the data folder, so tokens stay
// valid across restarts. The Worker only ever sees the public JWKS (AUTH_JWKS).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

export const DEV_ISSUER = 'tracktrace-dev';
export const DEV_AUDIENCE = 'tracktrace-api';

export function dataDir(): string {
  return path.resolve(process.env.TRACKTRACE_DATA_DIR ?? '.data');
}

export async function loadDevKey(dir = dataDir()): Promise<{ privateJwk: JWK; jwks: { keys: JWK[] } }> {
  const file = path.join(dir, 'dev-signing-key.json');
  if (!existsSync(file)) {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: `dev-${Date.now().toString(36)}`, alg: 'ES256', use: 'sig' };
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
  }
  const privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { d: _d, ...publicJwk } = privateJwk;
  return { privateJwk, jwks: { keys: [publicJwk] } };
}

export async function signDevToken(opts: {
  tenant: string;
  scope: string;
  ttlSeconds?: number;
  subject?: string;
  /** A partner token: airline codes (LA, 045) in the `carriers` claim; it sees only entities tied to them. */
  carriers?: string[];
  dir?: string;
}): Promise<string> {
  const { privateJwk } = await loadDevKey(opts.dir);
  const key = await importJWK(privateJwk, 'ES256');
  const claims: Record<string, unknown> = { tenant_id: opts.tenant, scope: opts.scope };
  if (opts.carriers) claims.carriers = opts.carriers; // the default AUTH_CARRIERS_CLAIM, as tenant_id is AUTH_TENANT_CLAIM's
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid, typ: 'JWT' })
    .setIssuer(process.env.AUTH_ISSUER ?? DEV_ISSUER)
    .setAudience(process.env.AUTH_AUDIENCE ?? DEV_AUDIENCE)
    .setSubject(opts.subject ?? `dev:${opts.tenant}`)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (opts.ttlSeconds ?? 8 * 3600))
    .sign(key);
}
