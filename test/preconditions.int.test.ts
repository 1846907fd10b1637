// Conditional requests and idempotency keys: what a client may count on when it retries or races.
import { describe, expect, it } from 'vitest';
import { api, awb, bagTag, ev, flightId, shipmentStream, sql } from './helpers/api';

const count = async (s: string) => Number((await sql('select count(*) as n from events where stream_id = $1', [s]))[0]!.n);

describe('idempotency keys are bound to their request', () => {
  it('refuses a key reused with another body (422) and stores nothing for it', async () => {
    const id = awb();
    const headers = { 'idempotency-key': `rcs-${id}` };
    const body = { code: 'RCS', pieces: 2, weightKg: 20, location: 'LIM' };
    expect((await api('POST', `/v1/shipments/${id}/statuses`, { body, headers })).status).toBe(201);
    const other = await api('POST', `/v1/shipments/${id}/statuses`, { body: { ...body, pieces: 3 }, headers });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    // the same request in another key order is the same request
    const same = await api('POST', `/v1/shipments/${id}/statuses`, { body: { location: 'LIM', weightKg: 20, pieces: 2, code: 'RCS' }, headers });
    expect(same.status).toBe(201);
    expect(same.headers.get('idempotent-replayed')).toBe('true');
    expect(await count(`shipment-${id}`)).toBe(1);
  });

  it('refuses a key reused with another command on the same stream', async () => {
    const tag = bagTag();
    const key = { 'idempotency-key': `k-${tag}` };
    expect((await api('POST', `/v1/baggage/${tag}/tag`, { body: { passengerRef: 'PNR-ZZ1', flights: [flightId()] }, headers: key })).status).toBe(201);
    const scan = await api('POST', `/v1/baggage/${tag}/scans`, { body: { point: 'Acceptance' }, headers: key });
    expect(scan.status).toBe(422);
    expect(scan.body.code).toBe('idempotency_key_reused');
  });

  it('takes only visible ASCII keys, and one key at a time', async () => {
    const id = awb();
    const body = { code: 'RCS', pieces: 1, weightKg: 1, location: 'LIM' };
    for (const commandId of ['a\nb', 'a b', 'ключ', '']) {
      const r = await api('POST', `/v1/shipments/${id}/statuses`, { body: { ...body, commandId } });
      expect(r.status, JSON.stringify(commandId)).toBe(400);
    }
    const both = await api('POST', `/v1/shipments/${id}/statuses`, { body: { ...body, commandId: 'one' }, headers: { 'idempotency-key': 'two' } });
    expect(both.status).toBe(400);
    expect(both.body.code).toBe('conflicting_idempotency_key');
    expect(await count(`shipment-${id}`)).toBe(0);
  });
});

describe('If-Match on commands', () => {
  it('decides at the version it names, and answers 409 with the current version otherwise', async () => {
    const id = awb();
    const s = `shipment-${id}`;
    const post = (ifMatch: string, code = 'FOH') => api('POST', `/v1/shipments/${id}/statuses`, { body: { code, pieces: 1, weightKg: 1, location: 'LIM' }, headers: { 'if-match': ifMatch } });
    const none = await post('*', 'RCS'); // * : the stream must exist
    expect(none.status).toBe(409);
    expect(none.body).toMatchObject({ code: 'wrong_expected_version', currentVersion: 0 });
    expect((await api('POST', `/v1/shipments/${id}/statuses`, { body: { code: 'RCS', pieces: 1, weightKg: 1, location: 'LIM' } })).status).toBe(201);
    const ok = await post('"1"');
    expect(ok.status).toBe(201);
    expect(ok.headers.get('etag')).toBe('"2"');
    const stale = await post('"1"');
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'wrong_expected_version', currentVersion: 2 });
    expect((await post('*')).status).toBe(201);
    expect((await post('W/"x"')).status).toBe(400);
    expect(await count(s)).toBe(3);
  });
});

describe('If-Match on appends', () => {
  it('takes * as "the stream exists"', async () => {
    const s = shipmentStream();
    const append = () => api('POST', `/v1/streams/${s}/events`, { body: { events: [ev()] }, headers: { 'if-match': '*' } });
    const first = await append();
    expect(first.status).toBe(409);
    expect(first.body.code).toBe('wrong_expected_version');
    expect((await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev()] } })).status).toBe(201);
    expect((await append()).status).toBe(201);
  });
});

describe('If-None-Match on reads', () => {
  it('answers 304 on every stream read whose ETag matches, * included, and 400 to a malformed one', async () => {
    const s = shipmentStream();
    await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev(), ev()] } });
    for (const path of [`/v1/streams/${s}`, `/v1/streams/${s}/events`, `/v1/streams/${s}/state`]) {
      const first = await api('GET', path);
      expect(first.status, path).toBe(200);
      expect(first.headers.get('etag')).toBe('"2"');
      for (const tag of ['"2"', 'W/"2"', '"1", "2"', '*']) {
        const again = await api('GET', path, { headers: { 'if-none-match': tag } });
        expect(again.status, `${path} ${tag}`).toBe(304);
        expect(again.text).toBe('');
      }
      expect((await api('GET', path, { headers: { 'if-none-match': '"1"' } })).status).toBe(200);
      expect((await api('GET', path, { headers: { 'if-none-match': '2' } })).status).toBe(400);
    }
  });
});
