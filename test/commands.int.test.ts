import { abortAllDurableObjects } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, awb, ev, sql } from './helpers/api';

const count = async (streamId: string) => Number((await sql('select count(*) as n from events where stream_id = $1', [streamId]))[0]!.n);
// unique per test; the date is the schedule's local departure date at LIM
const flightId = () => `${['LA', 'IB', 'AV', 'H2', 'JA'][Math.floor(Math.random() * 5)]}${1000 + Math.floor(Math.random() * 8999)}-2026-11-22`;
const schedule = { scheduledDeparture: '2026-11-22T14:00:00Z', scheduledArrival: '2026-11-22T18:00:00Z', origin: 'LIM', destination: 'SCL' };

describe('shipment commands', () => {
  it('records statuses against the shipment state and names the rule it breaks', async () => {
    const id = awb();
    const dlv = await api('POST', `/v1/shipments/${id}/statuses`, { body: { code: 'DLV', pieces: 2, weightKg: 20, location: 'LIM' } });
    expect(dlv.status).toBe(409);
    expect(dlv.headers.get('content-type')).toBe('application/problem+json');
    expect(dlv.body).toMatchObject({ code: 'delivery_before_receipt', rule: 'delivery_before_receipt' });
    expect(await count(`shipment-${id}`)).toBe(0);

    const rcf = await api('POST', `/v1/shipments/${id}/statuses`, { body: { code: 'RCF', pieces: 2, weightKg: 20, location: 'LIM/WH2', flight: 'LA2047-2026-11-22' } });
    expect(rcf.status, rcf.text).toBe(201);
    expect(rcf.body).toMatchObject({ streamId: `shipment-${id}`, version: 1, events: [{ version: 1, type: 'ShipmentStatusRecorded', schemaVersion: 1, location: 'LIM/WH2', data: { code: 'RCF', pieces: 2 } }] });
    expect((await api('POST', `/v1/shipments/${id}/statuses`, { body: { code: 'DLV', pieces: 3, weightKg: 30, location: 'LIM' } })).body.code).toBe('delivered_exceeds_received');
    expect((await api('POST', `/v1/shipments/${id}/statuses`, { body: { code: 'DLV', pieces: 2, weightKg: 20, location: 'LIM' } })).status).toBe(201);
    expect((await api('POST', `/v1/shipments/${id}/statuses`, { body: { code: 'NFD', pieces: 2, weightKg: 20, location: 'LIM' } })).body.code).toBe('status_after_delivery');
    expect((await api('POST', `/v1/shipments/${id}/statuses`, { body: { code: 'DIS', pieces: 1, weightKg: 10, discrepancy: 'DMCA', location: 'LIM' } })).status).toBe(201);
    const rows = await sql('select version, data->>\'code\' as code from events where stream_id = $1 order by version', [`shipment-${id}`]);
    expect(rows.map((r) => r.code)).toEqual(['RCF', 'DLV', 'DIS']);
    const state = await api('GET', `/v1/streams/shipment-${id}/state`);
    expect(state.body).toMatchObject({ version: 3, state: { piecesReceived: 2, piecesDelivered: 2, delivered: true, lastCode: 'DIS' } });
  });

  it('returns the first answer to a retried command, even once the state has moved on', async () => {
    const id = awb();
    await api('POST', `/v1/shipments/${id}/statuses`, { body: { code: 'RCF', pieces: 2, weightKg: 20, location: 'LIM' } });
    const body = { code: 'DLV', pieces: 2, weightKg: 20, location: 'LIM' };
    const headers = { 'idempotency-key': `dlv-${id}` };
    const first = await api('POST', `/v1/shipments/${id}/statuses`, { body, headers });
    expect(first.status).toBe(201);
    const again = await api('POST', `/v1/shipments/${id}/statuses`, { body, headers });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.events[0]).toMatchObject({ id: first.body.events[0].id, version: 2 });
    // commandId in the body works the same
    const byId = { code: 'DIS', pieces: 1, weightKg: 1, discrepancy: 'MSCA', location: 'LIM', commandId: `dis-${id}` };
    const dis = await api('POST', `/v1/shipments/${id}/statuses`, { body: byId });
    expect((await api('POST', `/v1/shipments/${id}/statuses`, { body: byId })).body.events[0].id).toBe(dis.body.events[0].id);
    expect(await count(`shipment-${id}`)).toBe(3);
  });

  it('keeps the context: correlation id echoed, actor and source stored', async () => {
    const id = awb();
    const correlation = crypto.randomUUID();
    const causation = crypto.randomUUID();
    const res = await api('POST', `/v1/shipments/${id}/statuses`, {
      body: { code: 'RCS', pieces: 1, weightKg: 5, location: 'LIM', occurredAt: '2026-11-22T03:00:00Z' },
      headers: { 'x-correlation-id': correlation, 'x-causation-id': causation, 'x-source': 'LIM-WH2-scanner-4' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-correlation-id')).toBe(correlation);
    const [row] = await sql('select occurred_at, correlation_id, causation_id, metadata from events where stream_id = $1', [`shipment-${id}`]);
    expect(new Date(row!.occurred_at as string).toISOString()).toBe('2026-11-22T03:00:00.000Z');
    expect(row).toMatchObject({ correlation_id: correlation, causation_id: causation });
    expect(row!.metadata).toMatchObject({ actor: 'scanner-7', source: 'LIM-WH2-scanner-4', tenantId: 'tenant-a', command: 'RecordShipmentStatus' });
  });

  it('rejects bad commands with 400 and unknown ones with 404, writing nothing', async () => {
    const id = awb();
    for (const body of [{ code: 'XXX', pieces: 1, weightKg: 1 }, { code: 'RCS', pieces: -1, weightKg: 1 }, { code: 'RCS', pieces: 1, weightKg: 1, location: 'QQQ1' }, { code: 'RCS', pieces: 1, weightKg: 1, extra: true }]) {
      const res = await api('POST', `/v1/shipments/${id}/statuses`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    expect((await api('POST', `/v1/shipments/${id}/statuses`, { body: { code: 'RCS', pieces: 1, weightKg: 1, occurredAt: '2099-01-01T00:00:00Z' } })).status).toBe(400);
    expect((await api('POST', '/v1/shipments/045-12345670/statuses', { body: { code: 'RCS', pieces: 1, weightKg: 1 } })).body.code).toBe('invalid_entity_id');
    expect((await api('POST', `/v1/shipments/${id}/teleports`, { body: {} })).status).toBe(404);
    expect((await api('POST', `/v1/shipments/${id}/statuses`, { body: { code: 'RCS', pieces: 1, weightKg: 1 }, token: await (await import('./helpers/api')).token({ scope: 'tracking:read' }) })).status).toBe(403);
    expect(await count(`shipment-${id}`)).toBe(0);
  });
});

describe('flight commands', () => {
  it('schedules, changes status and records milestones in order', async () => {
    const f = flightId();
    expect((await api('POST', `/v1/flights/${f}/status`, { body: { newStatus: 'Boarding' } })).body.code).toBe('flight_not_scheduled');
    expect((await api('POST', `/v1/flights/${f}/schedule`, { body: schedule })).status).toBe(201);
    const boarding = await api('POST', `/v1/flights/${f}/status`, { body: { newStatus: 'Boarding', location: 'LIM/GATE/A5' } });
    expect(boarding.body.events[0]).toMatchObject({ schemaVersion: 2, data: { oldStatus: 'Scheduled', newStatus: 'Boarding', updatedBy: 'scanner-7', locationCode: 'LIM/GATE/A5' } });
    const offBlock = await api('POST', `/v1/flights/${f}/milestones`, { body: { milestone: 'OffBlock' } });
    expect(offBlock.status).toBe(409);
    expect(offBlock.body.code).toBe('milestone_before_on_block');
    expect((await api('POST', `/v1/flights/${f}/milestones`, { body: { milestone: 'OnBlock' } })).status).toBe(201);
    expect((await api('POST', `/v1/flights/${f}/milestones`, { body: { milestone: 'OffBlock' } })).status).toBe(201);
    expect(await count(`flight-${f}`)).toBe(4);
  });
});

describe('the event catalog on appends', () => {
  const append = (streamId: string, events: unknown[]) => api('POST', `/v1/streams/${streamId}/events`, { body: { events } });

  it.each([
    ['an unknown event type', [ev({ type: 'ShipmentTeleported' })], 'unknown_event_type', 'events.0.type'],
    ['an event of another entity type', [ev(), ev({ type: 'BagScanned', data: { point: 'Loaded' } })], 'event_not_allowed_for_stream', 'events.1.type'],
    ['a payload that does not match', [ev({ data: { code: 'RCS', pieces: 'three', weightKg: 1 } })], 'invalid_event_data', 'events.0.data.pieces'],
    ['a status code outside Cargo-IMP', [ev({ data: { code: 'XYZ', pieces: 1, weightKg: 1 } })], 'invalid_event_data', 'events.0.data.code'],
    ['a DIS without its discrepancy', [ev({ data: { code: 'DIS', pieces: 1, weightKg: 1 } })], 'invalid_event_data', 'events.0.data.discrepancy'],
    ['an unknown schema version', [ev({ schemaVersion: 7 })], 'unknown_schema_version', 'events.0.type'],
  ])('rejects %s with 422 naming the field, storing nothing', async (_, events, code, path) => {
    const s = `shipment-${awb()}`;
    const res = await append(s, events);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe(code);
    expect(res.body.errors.map((e: any) => e.path)).toContain(path);
    expect(await count(s)).toBe(0);
  });

  it('rejects an unknown airport as a location', async () => {
    const s = `shipment-${awb()}`;
    const res = await append(s, [ev({ location: 'QQQ/WH1' })]);
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('QQQ is not a known IATA airport code');
  });
});

describe('schema evolution', () => {
  it('upcasts stored FlightStatusChanged v1 rows on reads and when deciding', async () => {
    const f = flightId();
    const s = `flight-${f}`;
    await sql(
      `insert into events (tenant_id, stream_id, version, event_id, event_type, schema_version, data, occurred_at) values
        ('tenant-a', $1, 1, gen_random_uuid(), 'FlightScheduled', 1, $2, now()),
        ('tenant-a', $1, 2, gen_random_uuid(), 'FlightStatusChanged', 1, $3, now())`,
      [s, JSON.stringify({ flightNumber: f.slice(0, 6), ...schedule }), JSON.stringify({ flightId: f, status: 'SCHEDULED', newStatus: 'DELAYED', timestamp: '2025-06-01T10:00:00Z', delayMinutes: 40 })],
    );
    await sql(`insert into streams (tenant_id, stream_id, entity_type, version) values ('tenant-a', $1, 'flight', 2)`, [s]);
    const read = await api('GET', `/v1/streams/${s}/events`);
    expect(read.body.events[1]).toMatchObject({
      schemaVersion: 2,
      data: { flightId: f, oldStatus: 'Scheduled', newStatus: 'Delayed', reason: 'Not specified', updatedBy: 'system', locationCode: 'UNKNOWN', delayMinutes: 40 },
    });
    const backward = await api('GET', `/v1/streams/${s}/events?direction=backward&limit=1`);
    expect(backward.body.events[0].schemaVersion).toBe(2);
    // the stored row is untouched
    const [row] = await sql('select schema_version, data from events where stream_id = $1 and version = 2', [s]);
    expect(row).toMatchObject({ schema_version: 1, data: { status: 'SCHEDULED' } });
    // state loading sees v2: Delayed may go on to Boarding
    expect((await api('GET', `/v1/streams/${s}/state`)).body.state).toMatchObject({ status: 'Delayed', delayMinutes: 40 });
    const next = await api('POST', `/v1/flights/${f}/status`, { body: { newStatus: 'Boarding' } });
    expect(next.status).toBe(201);
    expect(next.body.events[0].data.oldStatus).toBe('Delayed');
  });
});

describe('snapshots', () => {
  it('loads a 1,000-event stream from its snapshot plus the events after it', async () => {
    const id = awb();
    const s = `shipment-${id}`;
    for (let i = 0; i < 10; i++) {
      const res = await api('POST', `/v1/streams/${s}/events`, { body: { events: Array.from({ length: 100 }, () => ev({ data: { code: 'FOH', pieces: 1, weightKg: 1 } })) } });
      expect(res.status).toBe(201);
    }
    const first = await api('GET', `/v1/streams/${s}/state`);
    expect(first.body).toMatchObject({ version: 1000, snapshotVersion: null, replayedEvents: 1000 });
    const [snap] = await sql('select version, state_version from snapshots where stream_id = $1', [s]);
    expect(snap).toMatchObject({ version: '1000', state_version: 2 });

    await api('POST', `/v1/streams/${s}/events`, { body: { events: Array.from({ length: 50 }, () => ev()) } });
    await abortAllDurableObjects(); // a fresh object must load from the snapshot
    const second = await api('GET', `/v1/streams/${s}/state`);
    expect(second.body).toMatchObject({ version: 1050, snapshotVersion: 1000, replayedEvents: 50 });
    expect(second.body.replayedEvents).toBeLessThanOrEqual(99);
    expect(second.body.state).toMatchObject({ lastCode: 'RCS', piecesReceived: 3 });

    // a snapshot of an older state shape is ignored and rebuilt
    await sql('update snapshots set state_version = 0, state = \'{"bogus": true}\' where stream_id = $1', [s]);
    await abortAllDurableObjects();
    const third = await api('GET', `/v1/streams/${s}/state`);
    expect(third.body).toMatchObject({ version: 1050, snapshotVersion: null, replayedEvents: 1050 });
    expect(third.body.state).toEqual(second.body.state);
    const [rebuilt] = await sql('select version, state_version from snapshots where stream_id = $1', [s]);
    expect(rebuilt).toMatchObject({ version: '1050', state_version: 2 });
  });

  it('snapshots as commands cross each multiple of the frequency', async () => {
    const f = `TUG-${Math.floor(Math.random() * 1e6)}`;
    const s = `equipment-${f}`;
    await api('POST', `/v1/streams/${s}/events`, { body: { events: Array.from({ length: 99 }, () => ({ type: 'EquipmentFaultReported', data: { fault: 'tyre' } })) } });
    expect((await api('POST', `/v1/equipment/${f}/faults`, { body: { fault: 'brakes' } })).body.version).toBe(100);
    const [snap] = await sql('select version from snapshots where stream_id = $1', [s]);
    expect(snap?.version).toBe('100');
  });
});

describe('state kept in memory', () => {
  it('is dropped when events it never saw were written in between', async () => {
    const id = awb();
    const s = `shipment-${id}`;
    expect((await api('POST', `/v1/shipments/${id}/statuses`, { body: { code: 'RCF', pieces: 2, weightKg: 20, location: 'LIM' } })).status).toBe(201);
    // someone else (a stale instance, a commit that landed after a timeout) delivers it
    await sql(`insert into events (tenant_id, stream_id, version, event_id, event_type, schema_version, data, location, occurred_at)
               values ('tenant-a', $1, 2, gen_random_uuid(), 'ShipmentStatusRecorded', 1, '{"code":"DLV","pieces":2,"weightKg":20}', 'LIM', now())`, [s]);
    await sql(`update streams set version = 2 where tenant_id = 'tenant-a' and stream_id = $1`, [s]);
    // a blind append moves the stream past what the object knew
    expect((await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev({ data: { code: 'FOH', pieces: 2, weightKg: 20 } })] } })).body.toVersion).toBe(3);
    // the next command must see the delivery
    const dlv = await api('POST', `/v1/shipments/${id}/statuses`, { body: { code: 'DLV', pieces: 1, weightKg: 10, location: 'LIM' } });
    expect(dlv.status).toBe(409);
    expect(dlv.body.code).toBe('status_after_delivery');
    expect((await api('GET', `/v1/streams/${s}/state`)).body).toMatchObject({ version: 3, state: { piecesDelivered: 2, delivered: true } });
  });
});

describe('values Postgres cannot store', () => {
  it('refuses them in validation, naming the field, before anything is written', async () => {
    const s = `shipment-${awb()}`;
    const res = await api('POST', '/v1/events:batch', {
      body: { items: [{ streamId: s, events: [ev()] }, { streamId: s, events: [ev({ metadata: { note: 'a\u0000b' } })] }, { streamId: s, events: [ev()] }] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'items.1.events.0.metadata.note' }] });
    expect(res.text).not.toMatch(/unsupported|Unicode|jsonb|escape/i); // no database message
    for (const [bad, path] of [[{ note: '\ud800x' }, 'events.0.metadata.note'], [{ ['k\u0000']: 1 }, 'events.0.metadata.k\u0000 (key)']] as const) {
      const single = await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev({ metadata: bad })] } });
      expect(single.status).toBe(400);
      expect(single.headers.get('content-type')).toBe('application/problem+json');
      expect(single.body.errors[0].path).toBe(path);
    }
    const offset = await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev({ occurredAt: '2026-01-01T00:00:00+18:00' })] } });
    expect(offset.status).toBe(400);
    expect(offset.body.errors[0].path).toBe('events.0.occurredAt');
    expect((await sql('select 1 from events where stream_id = $1', [s])).length).toBe(0);
  });
});
