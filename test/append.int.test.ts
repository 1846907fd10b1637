import { describe, expect, it } from 'vitest';
import { api, ev, shipmentStream, sql } from './helpers/api';

const append = (s: string, body: unknown, headers?: Record<string, string>) =>
  api('POST', `/v1/streams/${s}/events`, { body, headers });

const versions = async (s: string) =>
  (await sql<{ version: string }>('select version from events where stream_id = $1 order by version', [s])).map((r) => Number(r.version));

describe('append', () => {
  it('appends events and reads them back with their context', async () => {
    const s = shipmentStream();
    const res = await append(s, { events: [ev(), ev({ data: { code: 'FOH', pieces: 3, weightKg: 120 } })] }, { 'x-source': 'LIM-WH2-scanner-4' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ streamId: s, fromVersion: 1, toVersion: 2 });
    expect(res.body.positions).toHaveLength(2);
    expect(res.body.positions[1]).toBeGreaterThan(res.body.positions[0]);
    const correlation = res.headers.get('x-correlation-id');
    const rows = await sql('select version, event_type, metadata, correlation_id, tenant_id from events where stream_id = $1 order by version', [s]);
    expect(rows.map((r) => Number(r.version))).toEqual([1, 2]);
    expect(rows[0]).toMatchObject({ tenant_id: 'tenant-a', correlation_id: correlation });
    expect(rows[0]!.metadata).toMatchObject({ actor: 'scanner-7', source: 'LIM-WH2-scanner-4', tenantId: 'tenant-a', correlationId: correlation });
    const read = await api('GET', `/v1/streams/${s}/events`);
    expect(read.status).toBe(200);
    expect(read.body.events.map((e: any) => e.data.code)).toEqual(['RCS', 'FOH']);
    expect(read.body.events[0]).toMatchObject({ version: 1, type: 'ShipmentStatusRecorded', schemaVersion: 1, location: 'LIM' });
  });

  it('gives 50 concurrent "any" appends to one stream versions 1..50 with no gap or duplicate', async () => {
    const s = shipmentStream();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => append(s, { expectedVersion: 'any', events: [ev({ data: { code: 'FOH', pieces: i + 1, weightKg: 1 } })] })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(results.map((r) => r.body.toVersion).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await versions(s)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const [stream] = await sql('select version from streams where stream_id = $1', [s]);
    expect(Number(stream!.version)).toBe(50);
  });

  it('lets exactly one of 50 concurrent appends expecting version 10 win', async () => {
    const s = shipmentStream();
    expect((await append(s, { events: Array.from({ length: 10 }, () => ev()) })).status).toBe(201);
    const results = await Promise.all(Array.from({ length: 50 }, () => append(s, { expectedVersion: 10, events: [ev()] })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((x) => x === 201)).toHaveLength(1);
    expect(statuses.filter((x) => x === 409)).toHaveLength(49);
    const conflict = results.find((r) => r.status === 409)!;
    expect(conflict.headers.get('content-type')).toBe('application/problem+json');
    expect(conflict.body).toMatchObject({ code: 'wrong_expected_version', currentVersion: 11, status: 409 });
    expect(await versions(s)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });

  it('answers a repeated request with the original versions and stores nothing new', async () => {
    const s = shipmentStream();
    const body = { events: [ev({ id: crypto.randomUUID() }), ev({ id: crypto.randomUUID(), data: { code: 'FOH', pieces: 3, weightKg: 120 } })] };
    const first = await append(s, body);
    expect(first.status).toBe(201);
    await append(s, { events: [ev()] }); // the stream moves on in between
    const again = await append(s, body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await versions(s)).toEqual([1, 2, 3]);
  });

  it('rejects the same event id with other content, and stores nothing of that request', async () => {
    const s = shipmentStream();
    const id = crypto.randomUUID();
    expect((await append(s, { events: [ev({ id })] })).status).toBe(201);
    const res = await append(s, { events: [ev(), ev({ id, data: { code: 'DLV', pieces: 3, weightKg: 120 } })] });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'event_id_conflict', eventIds: [id] });
    expect(await versions(s)).toEqual([1]);
  });

  it('rejects an event id already used on another stream of the tenant', async () => {
    const [a, b] = [shipmentStream(), shipmentStream()];
    const id = crypto.randomUUID();
    expect((await append(a, { events: [ev({ id })] })).status).toBe(201);
    const res = await append(b, { events: [ev({ id })] });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('event_id_conflict');
    expect(await versions(b)).toEqual([]);
  });

  it('says so when only some ids of a request are stored already', async () => {
    const s = shipmentStream();
    const first = ev({ id: crypto.randomUUID() });
    expect((await append(s, { events: [first] })).status).toBe(201);
    const res = await append(s, { events: [first, ev({ id: crypto.randomUUID() })] });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('event_id_conflict');
    expect(res.body.detail).toContain('some event ids of this request are already stored');
    expect(await versions(s)).toEqual([1]);
  });

  it('appends all events of a request or none', async () => {
    const s = shipmentStream();
    const ok = await append(s, { events: Array.from({ length: 5 }, () => ev()) });
    expect(ok.body).toMatchObject({ fromVersion: 1, toVersion: 5 });
    const conflict = await append(s, { expectedVersion: 3, events: Array.from({ length: 5 }, () => ev()) });
    expect(conflict.status).toBe(409);
    const invalid = await append(s, { events: [ev(), ev({ type: 'not a type' }), ev()] });
    expect(invalid.status).toBe(400);
    expect(await versions(s)).toEqual([1, 2, 3, 4, 5]);
  });

  it('honours every expectedVersion form', async () => {
    const s = shipmentStream();
    expect((await append(s, { expectedVersion: 'stream_exists', events: [ev()] })).status).toBe(409);
    expect((await append(s, { expectedVersion: 1, events: [ev()] })).body).toMatchObject({ code: 'wrong_expected_version', currentVersion: 0 });
    expect((await append(s, { expectedVersion: 0, events: [ev()] })).status).toBe(201);
    expect((await append(s, { expectedVersion: 0, events: [ev()] })).status).toBe(409);
    expect((await append(s, { expectedVersion: 'no_stream', events: [ev()] })).status).toBe(409);
    const t = shipmentStream();
    expect((await append(t, { expectedVersion: 'no_stream', events: [ev()] })).status).toBe(201);
    expect((await append(s, { expectedVersion: 'stream_exists', events: [ev()] })).body.toVersion).toBe(2);
    expect((await append(s, { expectedVersion: 2, events: [ev()] })).body.toVersion).toBe(3);
    expect((await append(s, { expectedVersion: 'any', events: [ev()] })).body.toVersion).toBe(4);
    expect((await append(s, { events: [ev()] }, { 'if-match': '"4"' })).body.toVersion).toBe(5);
    const stale = await append(s, { events: [ev()] }, { 'if-match': '"4"' });
    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(5);
    expect((await append(s, { expectedVersion: 4, events: [ev()] }, { 'if-match': '"5"' })).status).toBe(400);
    expect(await versions(s)).toEqual([1, 2, 3, 4, 5]);
  });

  it('stores the site time it was given and the server time it was recorded', async () => {
    const s = shipmentStream();
    const occurredAt = new Date(Date.now() - 3 * 3600_000).toISOString();
    expect((await append(s, { events: [ev({ occurredAt })] })).status).toBe(201);
    const read = await api('GET', `/v1/streams/${s}/events`);
    expect(read.body.events[0].occurredAt).toBe(occurredAt);
    expect(Date.parse(read.body.events[0].recordedAt)).toBeGreaterThan(Date.parse(occurredAt) + 3 * 3600_000 - 60_000);
  });
});
