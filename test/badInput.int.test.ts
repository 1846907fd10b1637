import { describe, expect, it } from 'vitest';
import { api, ev, shipmentStream, sql } from './helpers/api';

const count = async (s: string) => Number((await sql('select count(*) as n from events where stream_id = $1', [s]))[0]!.n);

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String), type: expect.stringContaining('http') });
  expect(res.body.requestId).toBeTruthy();
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/); // no stack trace
}

describe('bad input changes nothing and gets a clear problem', () => {
  const s = shipmentStream();
  const post = (opts: Parameters<typeof api>[2]) => api('POST', `/v1/streams/${s}/events`, opts);

  it.each([
    ['malformed JSON', { raw: '{"events": [', headers: { 'content-type': 'application/json' } }, 400, 'malformed_json'],
    ['an empty body', { raw: '', headers: { 'content-type': 'application/json' } }, 400, 'malformed_json'],
    ['a JSON array', { body: [ev()] }, 400, 'validation_failed'],
    ['events not an array', { body: { events: 'RCS' } }, 400, 'validation_failed'],
    ['no events', { body: { events: [] } }, 400, 'validation_failed'],
    ['data not an object', { body: { events: [ev({ data: 'RCS' })] } }, 400, 'validation_failed'],
    ['expectedVersion of the wrong type', { body: { expectedVersion: '3', events: [ev()] } }, 400, 'validation_failed'],
    ['a negative expectedVersion', { body: { expectedVersion: -1, events: [ev()] } }, 400, 'validation_failed'],
    ['an event id that is not a UUID', { body: { events: [ev({ id: 'abc' })] } }, 400, 'validation_failed'],
    ['the same event id twice, in other letter case', { body: { events: [ev({ id: '5b0e1a9c-2b1a-4f7e-9d61-3f0c2d1e0a11' }), ev({ id: '5B0E1A9C-2B1A-4F7E-9D61-3F0C2D1E0A11' })] } }, 400, 'validation_failed'],
    ['data over 32 KiB', { body: { events: [ev({ data: { code: 'RCS', pieces: 1, weightKg: 1, note: 'x'.repeat(33 * 1024) } })] } }, 400, 'validation_failed'],
    ['the same event id twice', { body: { events: [ev({ id: '5b0e1a9c-2b1a-4f7e-9d61-3f0c2d1e0a11' }), ev({ id: '5b0e1a9c-2b1a-4f7e-9d61-3f0c2d1e0a11' })] } }, 400, 'validation_failed'],
    ['an event type that is not a type name', { body: { events: [ev({ type: 'drop table events;' })] } }, 400, 'validation_failed'],
    ['a location that is no airport code', { body: { events: [ev({ location: 'Lima' })] } }, 400, 'validation_failed'],
    ['occurredAt that is not a time', { body: { events: [ev({ occurredAt: 'yesterday' })] } }, 400, 'validation_failed'],
    ['occurredAt an hour in the future', { body: { events: [ev({ occurredAt: new Date(Date.now() + 3600_000).toISOString() })] } }, 400, 'validation_failed'],
    ['an unknown field', { body: { events: [ev()], expectedVersoin: 3 } }, 400, 'validation_failed'],
    ['a text/plain body', { raw: JSON.stringify({ events: [ev()] }), headers: { 'content-type': 'text/plain' } }, 415, 'unsupported_media_type'],
    ['no content type', { raw: JSON.stringify({ events: [ev()] }) }, 415, 'unsupported_media_type'],
    ['an If-Match that is no version', { body: { events: [ev()] }, headers: { 'if-match': 'W/"abc"' } }, 400, 'invalid_header'],
    ['a correlation id that is no UUID', { body: { events: [ev()] }, headers: { 'x-correlation-id': 'abc' } }, 400, 'invalid_header'],
  ])('rejects %s', async (_, opts, status, code) => {
    expectProblem(await post(opts as Parameters<typeof api>[2]), status, code);
    expect(await count(s)).toBe(0);
  });

  it('rejects a body over 1 MiB with 413', async () => {
    const big = 'x'.repeat(1024 * 1024);
    expectProblem(await post({ body: { events: [ev({ data: { code: 'RCS', note: big } })] } }), 413, 'payload_too_large');
    expect(await count(s)).toBe(0);
  });

  it('rejects more than 100 events in one append', async () => {
    const res = await post({ body: { events: Array.from({ length: 101 }, () => ev()) } });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors[0].path).toBe('events');
    expect(await count(s)).toBe(0);
  });

  it('lists every failing field', async () => {
    const res = await post({ body: { events: [ev({ type: 'x' }), ev({ data: 3 })] } });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors.map((e: any) => e.path).sort()).toEqual(['events.0.type', 'events.1.data']);
  });

  it.each([
    ['an unknown entity type', 'parcel-123'],
    ['a bad air waybill check digit', 'shipment-045-12345670'],
    ['lower case', 'uld-ake12345la'],
    ['a unicode look-alike', 'uld-AKE12345LА'],
    ['a slash smuggled in', 'shipment-045-1234567%2F5'],
    ['an overlong id', `equipment-${'A'.repeat(100)}`],
  ])('rejects a stream id with %s', async (_, id) => {
    const res = await api('POST', `/v1/streams/${id}/events`, { body: { events: [ev()] } });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.detail).toMatch(/rule/);
    expectProblem(await api('GET', `/v1/streams/${id}/events`), 400, 'validation_failed');
  });

  it.each([
    ['a limit of 0', 'limit=0'],
    ['a limit that is not a number', 'limit=ten'],
    ['an unknown direction', 'direction=sideways'],
    ['a negative fromVersion', 'fromVersion=-2'],
    ['an unknown parameter', 'form=1'],
  ])('rejects a read with %s', async (_, query) => {
    expectProblem(await api('GET', `/v1/streams/${s}/events?${query}`), 400, 'validation_failed');
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    expectProblem(await api('GET', '/v1/nothing-here'), 404, 'not_found');
    expectProblem(await api('GET', '/nothing-here', { token: null }), 404, 'not_found');
    const res = await api('DELETE', `/v1/streams/${s}/events`);
    expectProblem(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toContain('GET');
    expect(res.headers.get('allow')).toContain('POST');
    expectProblem(await api('GET', '/v1/events:batch'), 405, 'method_not_allowed');
  });
});
