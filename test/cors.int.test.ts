// Browsers calling the API: CORS for the origins in CORS_ORIGINS (the test config lists two).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { api, shipmentStream, token } from './helpers/api';

const OPS = 'https://ops.example.com';
const preflight = (origin: string, path = '/v1/streams/shipment-045-12345675/events', method = 'POST') =>
  api('OPTIONS', path, {
    token: null,
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
  });
const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
/** The app under another CORS_ORIGINS than the test config's. */
const withOrigins = (origins: string, path: string, init: RequestInit) =>
  app.request(path, init, { ...(env as Env), CORS_ORIGINS: origins }, ctx);

describe('CORS', () => {
  it('answers a preflight from a configured origin without a token', async () => {
    const res = await preflight(OPS);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(OPS);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    for (const h of ['authorization', 'content-type', 'idempotency-key', 'if-match']) expect(res.headers.get('access-control-allow-headers')).toContain(h);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')?.toLowerCase()).toContain('origin');
    // a trailing slash in the configuration is the same origin
    expect((await preflight('https://partner.example.org')).headers.get('access-control-allow-origin')).toBe('https://partner.example.org');
  });

  it('allows no other origin, not even one that merely starts the same', async () => {
    for (const origin of ['https://evil.example.com', 'https://ops.example.com.evil.net', 'http://ops.example.com', 'null']) {
      const res = await preflight(origin);
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('lets a configured origin read answers, errors included, and the headers it needs', async () => {
    const s = shipmentStream();
    const res = await api('POST', `/v1/streams/${s}/events`, {
      headers: { origin: OPS },
      body: { events: [{ type: 'ShipmentStatusRecorded', location: 'LIM', data: { code: 'RCS', pieces: 1, weightKg: 5 } }] },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe(OPS);
    expect(res.headers.get('access-control-expose-headers')).toContain('etag');
    const denied = await api('GET', `/v1/streams/${s}/events`, { token: null, headers: { origin: OPS } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('content-type')).toContain('application/problem+json');
    expect(denied.headers.get('access-control-allow-origin')).toBe(OPS);
  });

  it('with "*" allows any origin, and never with credentials', async () => {
    const res = await withOrigins('*', '/v1/streams/shipment-045-12345675/events', {
      method: 'OPTIONS',
      headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    const get = await withOrigins('*', '/health/live', { headers: { origin: 'https://anywhere.example', cookie: 'a=b' } });
    expect(get.headers.get('access-control-allow-origin')).toBe('*');
    expect(get.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('without CORS_ORIGINS sends no CORS headers, and a preflight is just an unauthenticated request', async () => {
    const res = await withOrigins('', '/v1/streams/shipment-045-12345675/events', {
      method: 'OPTIONS',
      headers: { origin: OPS, 'access-control-request-method': 'POST' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.status).toBe(401);
    const ok = await withOrigins('', '/v1/streams/shipment-045-12345675/events', { headers: { origin: OPS, authorization: `Bearer ${await token()}` } });
    expect(ok.headers.get('access-control-allow-origin')).toBeNull();
  });
});
