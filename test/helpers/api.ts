// Test helpers that run inside workerd: signed tokens, requests to the Worker, direct SQL.
import { Client } from '@neondatabase/serverless';
import { env, exports } from 'cloudflare:workers';
import { importJWK, SignJWT } from 'jose';
import { configureDriver } from '../../src/db/client';

const testEnv = env as unknown as Env & { TEST_SIGNING_KEY: string; TEST_STRANGER_KEY: string; TEST_CONTROL_URL: string };

export const ISSUER = 'tracktrace-test';

/** The public key the Worker trusts, as the JWKS publishes it. */
export const trustedPublicJwk = () => JSON.parse(testEnv.AUTH_JWKS).keys[0];

export async function token(opts: {
  tenant?: string | null;
  scope?: string;
  scp?: string[];
  ttl?: number;
  notBefore?: number;
  audience?: string;
  issuer?: string;
  key?: 'trusted' | 'stranger';
  subject?: string;
  carriers?: unknown;
} = {}): Promise<string> {
  const jwk = JSON.parse(opts.key === 'stranger' ? testEnv.TEST_STRANGER_KEY : testEnv.TEST_SIGNING_KEY);
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {};
  if (opts.tenant !== null) claims.tenant_id = opts.tenant ?? 'tenant-a';
  if (opts.carriers !== undefined) claims.carriers = opts.carriers;
  if (opts.scp) claims.scp = opts.scp;
  else claims.scope = opts.scope ?? 'tracking:read tracking:write';
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
    .setIssuer(opts.issuer ?? ISSUER)
    .setAudience(opts.audience ?? 'tracktrace-api')
    .setSubject(opts.subject ?? 'scanner-7')
    .setIssuedAt()
    .setExpirationTime(now + (opts.ttl ?? 600));
  if (opts.notBefore) jwt.setNotBefore(now + opts.notBefore);
  return jwt.sign(await importJWK(jwk, 'ES256'));
}

export type ApiResponse = { status: number; headers: Headers; body: any; text: string };

export async function api(
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  const auth = opts.token === undefined ? await token() : opts.token;
  if (auth) headers.authorization ??= `Bearer ${auth}`;
  let body: string | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await (exports as any).default.fetch(new Request(`http://api.test${path}`, { method, headers, body }));
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  configureDriver(testEnv);
  const client = new Client({ connectionString: testEnv.DATABASE_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export const controlPostgres = (action: 'stop' | 'start') => fetch(`${testEnv.TEST_CONTROL_URL}/postgres/${action}`, { method: 'POST' });

/** A fresh, valid air waybill (mod-7 check digit) per call: each test gets its own stream. */
export function awb(): string {
  const serial = 1_000_000 + Math.floor(Math.random() * 8_999_999);
  return `045-${serial}${serial % 7}`;
}
export const shipmentStream = () => `shipment-${awb()}`;

export const ev = (over: Record<string, unknown> = {}) => ({
  type: 'ShipmentStatusRecorded',
  location: 'LIM',
  data: { code: 'RCS', pieces: 3, weightKg: 120 },
  ...over,
});

/** Polls until `check` returns a value (projections are eventually consistent). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A valid bag tag for an airline numeric code. */
export const bagTag = (airline = '045') => `0${airline}${String(100_000 + Math.floor(Math.random() * 899_999))}`;
/** A valid ULD id owned by `owner`. */
export const uldId = (owner = 'LA') => `AKE${10_000 + Math.floor(Math.random() * 89_999)}${owner}`;
/** A flight id with a random number, today (UTC). */
export const flightId = (airline = 'LA', date = new Date().toISOString().slice(0, 10)) => `${airline}${1 + Math.floor(Math.random() * 9998)}-${date}`;
