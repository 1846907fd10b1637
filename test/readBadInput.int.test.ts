// Bad input to the read routes: a clear 4xx problem, never a 500.
import { describe, expect, it } from 'vitest';
import { api, token } from './helpers/api';

const cases: [string, number, string][] = [
  ['/v1/entities/rocket/ABC123', 400, 'validation_failed'],
  ['/v1/entities/shipment/045-12345670', 400, 'validation_failed'], // check digit
  ['/v1/entities/baggage/9045123456', 400, 'validation_failed'],
  ['/v1/entities/flight/la2047-2026-11-22', 400, 'validation_failed'],
  ['/v1/entities/shipment/045-12345675/timeline?limit=0', 400, 'validation_failed'],
  ['/v1/entities/shipment/045-12345675/timeline?limit=abc', 400, 'validation_failed'],
  ['/v1/entities/shipment/045-12345675/timeline?cursor=not-a-cursor', 400, 'invalid_cursor'],
  ['/v1/entities/shipment/045-12345675/timeline?cursor=WzEsMl0', 400, 'invalid_cursor'], // [1,2]
  ['/v1/entities?type=rocket', 400, 'validation_failed'],
  ['/v1/entities?status=' + 'x'.repeat(600), 400, 'validation_failed'],
  ['/v1/entities?status=DLV;drop', 400, 'validation_failed'],
  ['/v1/entities?location=lim', 400, 'validation_failed'],
  ['/v1/entities?location=QQQ', 400, 'validation_failed'],
  ['/v1/entities?flight=nope', 400, 'validation_failed'],
  ['/v1/entities?updatedSince=yesterday', 400, 'validation_failed'],
  ['/v1/entities?limit=1000', 400, 'validation_failed'],
  ['/v1/entities?updatedSince=2026-01-01T00:00:00%2B20:00', 400, 'validation_failed'], // an offset Postgres refuses
  ['/v1/entities?cursor=%E2%9C%88', 400, 'invalid_cursor'],
  ['/v1/entities?sort=desc', 400, 'validation_failed'], // unknown parameter
  ['/v1/flights/LA2047-2026-02-30/manifest', 400, 'validation_failed'],
  ['/v1/metrics/operations', 400, 'validation_failed'],
  ['/v1/metrics/operations?metric=happiness', 400, 'validation_failed'],
  ['/v1/metrics/operations?metric=delay&bucket=week', 400, 'validation_failed'],
  ['/v1/metrics/operations?metric=delay&from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', 400, 'invalid_range'],
  ['/v1/metrics/operations?metric=delay&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 400, 'invalid_range'],
  ['/v1/metrics/operations?metric=delay&location=LIM/WH2', 400, 'validation_failed'],
];

describe('read routes refuse bad input', () => {
  for (const [path, status, code] of cases) {
    it(`${path.slice(0, 90)} -> ${status} ${code}`, async () => {
      const r = await api('GET', path);
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.body.code).toBe(code);
      expect(r.text.length).toBeLessThan(2_000); // no echo of a huge input
    });
  }

  it('needs a valid token with the read scope', async () => {
    expect((await api('GET', '/v1/entities', { token: null })).status).toBe(401);
    expect((await api('GET', '/v1/entities', { token: await token({ scope: 'tracking:write' }) })).status).toBe(403);
    expect((await api('GET', '/v1/entities', { token: await token({ ttl: -3600 }) })).status).toBe(401);
    expect((await api('GET', '/v1/entities', { token: await token({ audience: 'someone-else' }) })).status).toBe(401);
    expect((await api('GET', '/v1/entities', { token: await token({ key: 'stranger' }) })).status).toBe(401);
  });

  it('answers POST on a read route with 405 and Allow', async () => {
    const r = await api('POST', '/v1/entities/shipment/045-12345675', { body: {} });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET');
  });
});
