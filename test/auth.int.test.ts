import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { api, ev, ISSUER, shipmentStream, sql, token, trustedPublicJwk } from './helpers/api';

const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

async function hs256(publicJwk: unknown): Promise<string> {
  // The classic confusion attack: HS256 with the server's public key as the HMAC secret.
  const now = Math.floor(Date.now() / 1000);
  const header = b64({ alg: 'HS256', typ: 'JWT', kid: 'test-key' });
  const payload = b64({ tenant_id: 'tenant-a', scope: 'tracking:read tracking:write', iss: 'tracktrace-test', aud: 'tracktrace-api', exp: now + 600 });
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(JSON.stringify(publicJwk)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${header}.${payload}`)));
  return `${header}.${payload}.${btoa(String.fromCharCode(...sig)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}`;
}

function unsigned(): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ tenant_id: 'tenant-a', scope: 'tracking:write', iss: 'tracktrace-test', aud: 'tracktrace-api', exp: now + 600 })}.`;
}

describe('authentication', () => {
  const s = shipmentStream();
  const write = (t: string | null) => api('POST', `/v1/streams/${s}/events`, { token: t, body: { events: [ev()] } });
  const stored = async () => Number((await sql('select count(*) as n from events where stream_id = $1', [s]))[0]!.n);

  it('accepts a valid token', async () => {
    expect((await write(await token())).status).toBe(201);
    expect(await stored()).toBe(1);
  });

  it('accepts scopes given as an scp array', async () => {
    expect((await api('GET', `/v1/streams/${s}`, { token: await token({ scp: ['tracking:read'] }) })).status).toBe(200);
  });

  it.each([
    ['no token', async () => null],
    ['an expired token', () => token({ ttl: -3600 })],
    ['a token not valid yet', () => token({ notBefore: 3600 })],
    ['a token for another audience', () => token({ audience: 'another-api' })],
    ['a token from another issuer', () => token({ issuer: 'https://evil.example' })],
    ['a token signed with another key', () => token({ key: 'stranger' })],
    ['alg none', async () => unsigned()],
    ['HS256 signed with the public key', () => hs256(trustedPublicJwk())],
    ['a token without a tenant', () => token({ tenant: null })],
    ['a tenant id with a slash', () => token({ tenant: 'a/b' })],
    ['garbage', async () => 'not.a.jwt'],
  ])('rejects %s with 401 and WWW-Authenticate, writing nothing', async (_, make) => {
    const before = await stored();
    const res = await write(await make());
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="tracktrace"/);
    expect(res.body.code).toBe('unauthorized');
    expect(await stored()).toBe(before);
  });

  it('says which key is the matter: one it does not trust (another development key), or a signature that does not verify', async () => {
    // another data folder's development key: its own kid, which this server's key set does not have
    const { privateKey } = await generateKeyPair('ES256');
    const kid = `dev-${Date.now().toString(36)}`;
    const otherDevKey = await new SignJWT({ tenant_id: 'tenant-a', scope: 'tracking:read' })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(ISSUER).setAudience('tracktrace-api').setSubject('dev:tenant-a').setIssuedAt().setExpirationTime('10m')
      .sign(privateKey);
    const unknownKid = await api('GET', `/v1/streams/${s}`, { token: otherDevKey });
    expect(unknownKid.status).toBe(401);
    expect(unknownKid.body.detail).toBe(
      'the token is signed with a key this server does not trust (none of its keys matches the kid and algorithm of the token): ' +
      'a token of another issuer, or signed with another development key (npm start trusts only the key in its TRACKTRACE_DATA_DIR)',
    );
    expect(unknownKid.headers.get('www-authenticate')).toContain('error_description="the token is signed with a key this server does not trust');

    // the trusted key's kid, another key: the signature is what fails
    const forged = await api('GET', `/v1/streams/${s}`, { token: await token({ key: 'stranger' }) });
    expect(forged.status).toBe(401);
    expect(forged.body.detail).toBe(
      'the token signature does not verify: the token was altered, or signed with another key under the kid of a key this server trusts',
    );
  });

  it('accepts a token that expired within the clock skew', async () => {
    expect((await api('GET', `/v1/streams/${s}`, { token: await token({ ttl: -1 }) })).status).toBe(200);
  });

  it('stops accepting a remembered token once it expires', async () => {
    const t = await token({ ttl: 1 });
    expect((await api('GET', `/v1/streams/${s}`, { token: t })).status).toBe(200);
    expect((await api('GET', `/v1/streams/${s}`, { token: t })).status).toBe(200); // from the cache
    await new Promise((r) => setTimeout(r, 4_500)); // past exp + 3 s skew
    const late = await api('GET', `/v1/streams/${s}`, { token: t });
    expect(late.status).toBe(401);
    expect(late.body.detail).toBe('the token has expired');
  });

  it('needs tracking:write to append and tracking:read to read', async () => {
    const before = await stored();
    const readOnly = await token({ scope: 'tracking:read' });
    const res = await write(readOnly);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('insufficient_scope');
    expect(await stored()).toBe(before);
    expect((await api('GET', `/v1/streams/${s}/events`, { token: await token({ scope: 'tracking:write' }) })).status).toBe(403);
  });

  it('keeps tenants apart on the same stream id', async () => {
    const shared = shipmentStream();
    const a = await token({ tenant: 'tenant-a' });
    const b = await token({ tenant: 'tenant-b' });
    expect((await api('POST', `/v1/streams/${shared}/events`, { token: a, body: { events: [ev()] } })).status).toBe(201);
    // B cannot see A's stream ...
    expect((await api('GET', `/v1/streams/${shared}/events`, { token: b })).status).toBe(404);
    expect((await api('GET', `/v1/streams/${shared}`, { token: b })).status).toBe(404);
    // ... nor move it: B's write lands in B's own stream of that id, at version 1
    const bWrite = await api('POST', `/v1/streams/${shared}/events`, { token: b, body: { expectedVersion: 0, events: [ev()] } });
    expect(bWrite.status).toBe(201);
    expect(bWrite.body.toVersion).toBe(1);
    const aRead = await api('GET', `/v1/streams/${shared}/events`, { token: a });
    expect(aRead.body.version).toBe(1);
    expect(aRead.body.events).toHaveLength(1);
    const rows = await sql('select tenant_id, version from events where stream_id = $1 order by tenant_id', [shared]);
    expect(rows.map((r) => [r.tenant_id, Number(r.version)])).toEqual([['tenant-a', 1], ['tenant-b', 1]]);
  });

  it('keeps event ids per tenant: B reusing A\'s id neither conflicts nor reveals A\'s event', async () => {
    const id = crypto.randomUUID();
    const [sa, sb] = [shipmentStream(), shipmentStream()];
    expect((await api('POST', `/v1/streams/${sa}/events`, { token: await token({ tenant: 'tenant-a' }), body: { events: [ev({ id })] } })).status).toBe(201);
    const res = await api('POST', `/v1/streams/${sb}/events`, { token: await token({ tenant: 'tenant-b' }), body: { events: [ev({ id })] } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ streamId: sb, fromVersion: 1 });
  });
});
