// The local development signing key: an ES256 key pair kept in the data folder, so tokens stay
// valid across restarts. The Worker only ever sees the public JWKS (AUTH_JWKS).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

export const DEV_ISSUER = 'tracktrace-dev';
export const DEV_AUDIENCE = 'tracktrace-api';

/** The checkout these scripts belong to (npm runs them from there too). */
export const CHECKOUT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/** TRACKTRACE_DATA_DIR (relative to the current folder, the checkout under npm), default `.data` in the checkout. */
export function dataDir(): string {
  return path.resolve(process.env.TRACKTRACE_DATA_DIR ?? path.join(CHECKOUT, '.data'));
}

/** A problem with the local setup (no key, which npm start is meant, ...): the message says what to set. */
export class SetupError extends Error {}

export const devKeyFile = (dir: string) => path.join(dir, 'dev-signing-key.json');

/**
 * The key pair in `dir`. `npm start` makes it on first use; token and seed pass create: false, so
 * that a wrong data folder is reported instead of getting a fresh key nobody trusts.
 */
export async function loadDevKey(dir = dataDir(), opts: { create?: boolean } = {}): Promise<{ privateJwk: JWK; jwks: { keys: JWK[] } }> {
  const file = devKeyFile(dir);
  if (!existsSync(file)) {
    if (opts.create === false) {
      throw new SetupError(
        `there is no development key in ${dir}: npm start makes it when it first starts with that data folder. ` +
        'Start npm start first, or set TRACKTRACE_DATA_DIR to the data folder of the npm start you mean (it prints it)',
      );
    }
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: `dev-${Date.now().toString(36)}`, alg: 'ES256', use: 'sig' };
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
  }
  const privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { d: _d, ...publicJwk } = privateJwk;
  return { privateJwk, jwks: { keys: [publicJwk] } };
}

/** What the API checks in a development token: `npm start` records the values it gave the Worker. */
export interface TokenRules {
  issuer: string;
  audience: string;
  tenantClaim: string;
  carriersClaim: string;
}

/** The rules `npm start` applies with this environment (wrangler.toml's [vars] otherwise). */
export const tokenRulesFromEnv = (): TokenRules => ({
  issuer: process.env.AUTH_ISSUER || DEV_ISSUER, // with AUTH_ISSUER set, npm start trusts that issuer's keys instead
  audience: process.env.AUTH_AUDIENCE || DEV_AUDIENCE,
  tenantClaim: process.env.AUTH_TENANT_CLAIM || 'tenant_id',
  carriersClaim: process.env.AUTH_CARRIERS_CLAIM || 'carriers',
});

export async function signDevToken(opts: {
  tenant: string;
  scope: string;
  ttlSeconds?: number;
  subject?: string;
  /** A partner token: airline codes (LA, 045) in the carriers claim; it sees only entities tied to them. */
  carriers?: string[];
  dir?: string;
  rules?: TokenRules;
  /** false: fail when the data folder has no key (token, seed) rather than make one. */
  create?: boolean;
}): Promise<string> {
  const { privateJwk } = await loadDevKey(opts.dir, { create: opts.create });
  const rules = opts.rules ?? tokenRulesFromEnv();
  const key = await importJWK(privateJwk, 'ES256');
  const claims: Record<string, unknown> = { [rules.tenantClaim]: opts.tenant, scope: opts.scope };
  if (opts.carriers) claims[rules.carriersClaim] = opts.carriers;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid, typ: 'JWT' })
    .setIssuer(rules.issuer)
    .setAudience(rules.audience)
    .setSubject(opts.subject ?? `dev:${opts.tenant}`)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (opts.ttlSeconds ?? 8 * 3600))
    .sign(key);
}
