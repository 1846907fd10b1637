// The contract can never drift silently: for every operation, success and error cases go to the
// running Worker, and each answer (status, headers, body) is validated against the OpenAPI document
// the Worker serves (test/helpers/contract.ts: Ajv, JSON Schema 2020-12). A request the API takes must
// match the document; one it refuses as malformed must not, unless the rule is beyond any schema.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, awb, bagTag, eventually, sql, token, uldId } from './helpers/api';
import { Contract } from './helpers/contract';
import { exports } from 'cloudflare:workers';

const TENANT = 'conformance';
const tok = (scope: string, extra: { carriers?: string[] } = {}) => token({ tenant: TENANT, scope, ...extra });

let c: Contract;
let write: string, read: string, readOnly: string, partner: string, admin: string, operator: string;
const fid = `LA${1000 + Math.floor(Math.random() * 8999)}-2026-11-22`;
const shipment = awb();
const tag = bagTag('045');
const uld = uldId('LA');
const equipment = `TUG-${Math.floor(Math.random() * 1e6)}`;
const stream = `shipment-${awb()}`;
const eventId = crypto.randomUUID();
const shipmentEvent = (over: Record<string, unknown> = {}) => ({ id: crypto.randomUUID(), type: 'ShipmentStatusRecorded', location: 'LIM', data: { code: 'RCS', pieces: 3, weightKg: 120 }, ...over });

beforeAll(async () => {
  const res = await api('GET', '/openapi.json', { token: null });
  c = new Contract(res.body);
  [write, read, readOnly, partner, admin, operator] = await Promise.all([
    tok('tracking:read tracking:write'), tok('tracking:read'), tok('tracking:read'), tok('tracking:read', { carriers: ['AV'] }),
    tok('tracking:read tracking:admin'), tok('tracking:read tracking:operator'),
  ]);
});

describe('the served contract matches the API', () => {
  it('public routes', async () => {
    await c.send({ method: 'GET', path: '/openapi.json', token: null }, { status: 200 });
    await c.send({ method: 'GET', path: '/docs', token: null }, { status: 200 });
    await c.send({ method: 'GET', path: '/docs/scalar.js', token: null }, { status: 200 });
    await c.send({ method: 'GET', path: '/health/live', token: null, headers: { 'x-request-id': 'conformance-health-1' } }, { status: 200 });
    await c.send({ method: 'GET', path: '/health/ready', token: null }, { status: 200 });
  });

  it('appends and reads a stream', async () => {
    const headers = { 'x-correlation-id': crypto.randomUUID(), 'x-source': 'conformance-scanner', 'x-request-id': 'conf-append-1' };
    const body = { expectedVersion: 0, events: [shipmentEvent({ id: eventId })] };
    const first = await c.send({ method: 'POST', path: `/v1/streams/${stream}/events`, token: write, body, headers }, { status: 201 });
    expect(first.headers.get('x-request-id')).toBe('conf-append-1');
    await c.send({ method: 'POST', path: `/v1/streams/${stream}/events`, token: write, body, headers }, { status: 200 });
    await c.send({ method: 'POST', path: `/v1/streams/${stream}/events`, token: write, body: { events: [shipmentEvent()] }, headers: { 'if-match': '"1"' } }, { status: 201 });
    // conflicts
    await c.send({ method: 'POST', path: `/v1/streams/${stream}/events`, token: write, body: { expectedVersion: 0, events: [shipmentEvent()] } }, { status: 409, code: 'wrong_expected_version' });
    const conflict = await c.send(
      { method: 'POST', path: `/v1/streams/${stream}/events`, token: write, body: { events: [shipmentEvent({ id: eventId, data: { code: 'FOH', pieces: 3, weightKg: 120 } })] } },
      { status: 409, code: 'event_id_conflict' },
    );
    expect(conflict.body.eventIds).toEqual([eventId]);
    // malformed: the document rejects what the API rejects
    const post = (body: unknown, extra: { path?: string; headers?: Record<string, string>; raw?: string; token?: string | null } = {}) => ({
      method: 'POST', path: extra.path ?? `/v1/streams/${stream}/events`, token: extra.token === undefined ? write : extra.token, body, raw: extra.raw, headers: extra.headers,
    });
    await c.send(post({ events: [] }), { status: 400, code: 'validation_failed', invalid: true });
    await c.send(post({ events: [{ type: 'ShipmentStatusRecorded' }] }), { status: 400, code: 'validation_failed', invalid: true });
    await c.send(post({ events: [shipmentEvent()], extra: 1 }), { status: 400, code: 'validation_failed', invalid: true });
    await c.send(post({ expectedVersion: -1, events: [shipmentEvent()] }), { status: 400, code: 'validation_failed', invalid: true });
    await c.send(post({ events: [shipmentEvent({ location: 'lim' })] }), { status: 400, code: 'validation_failed', invalid: true });
    await c.send(post({ events: [shipmentEvent({ id: 'not-a-uuid' })] }), { status: 400, code: 'validation_failed', invalid: true });
    await c.send(post(undefined, { raw: '{"events": [', headers: { 'content-type': 'application/json' } }), { status: 400, code: 'malformed_json', invalid: true });
    await c.send(post({ events: [shipmentEvent()] }, { path: '/v1/streams/bogus-1/events' }), { status: 400, code: 'validation_failed', invalid: true });
    await c.send(post({ events: [shipmentEvent()] }, { headers: { 'x-correlation-id': 'not-a-uuid' } }), { status: 400, code: 'invalid_header', invalid: true });
    await c.send(post({ events: [shipmentEvent()] }, { headers: { 'if-match': 'W/"x"' } }), { status: 400, code: 'invalid_header', invalid: true });
    // refused for rules beyond a schema
    await c.send(post({ events: [shipmentEvent()] }, { path: '/v1/streams/shipment-045-12345670/events' }), { status: 400, code: 'validation_failed', beyondSchema: 'the air waybill check digit' });
    await c.send(post({ expectedVersion: 5, events: [shipmentEvent()] }, { headers: { 'if-match': '"1"' } }), { status: 400, code: 'conflicting_expected_version', beyondSchema: 'If-Match and expectedVersion disagree' });
    await c.send(post({ events: [shipmentEvent({ occurredAt: '2099-01-01T00:00:00Z' })] }), { status: 400, code: 'validation_failed', beyondSchema: 'occurredAt more than 5 minutes ahead' });
    await c.send(post({ events: [shipmentEvent({ location: 'QQQ' })] }), { status: 400, code: 'validation_failed', beyondSchema: 'the IATA airport list' });
    const dup = crypto.randomUUID();
    await c.send(post({ events: [shipmentEvent({ id: dup }), shipmentEvent({ id: dup })] }), { status: 400, code: 'validation_failed', beyondSchema: 'ids unique within the request' });
    // the catalog: unknown types, versions and payloads break the document too
    await c.send(post({ events: [shipmentEvent({ type: 'NoSuchEvent' })] }), { status: 422, code: 'unknown_event_type', invalid: true });
    await c.send(post({ events: [shipmentEvent({ schemaVersion: 7 })] }), { status: 422, code: 'unknown_schema_version', invalid: true });
    await c.send(post({ events: [shipmentEvent({ data: { code: 'RCS', pieces: 'three', weightKg: 1 } })] }), { status: 422, code: 'invalid_event_data', invalid: true });
    await c.send(post({ events: [shipmentEvent({ data: { code: 'DIS', pieces: 1, weightKg: 1 } })] }), { status: 422, code: 'invalid_event_data', invalid: true });
    await c.send(post({ events: [{ type: 'BagScanned', data: { point: 'Loaded' } }] }), { status: 422, code: 'event_not_allowed_for_stream' });
    await c.send(post({ events: [shipmentEvent({ metadata: { note: 'nul\u0000here' } })] }), { status: 400, code: 'validation_failed', beyondSchema: 'no NUL character in any string' });
    await c.send(post(undefined, { raw: JSON.stringify({ events: [shipmentEvent()] }).replace('"pieces"', '"constructor":1,"pieces"'), headers: { 'content-type': 'application/json' } }), { status: 422, code: 'forbidden_key', invalid: true });
    await c.send(post(undefined, { raw: JSON.stringify({ events: [shipmentEvent()] }), headers: { 'content-type': 'application/json; charset=latin1' } }), { status: 415, code: 'unsupported_charset' });
    await c.send(post({ events: [shipmentEvent()] }, { headers: { 'if-match': '*' } }), { status: 201 });
    // media type, size, auth, method
    await c.send(post(undefined, { raw: 'x', headers: { 'content-type': 'text/plain' } }), { status: 415, code: 'unsupported_media_type' });
    await c.send(post({ events: [shipmentEvent({ metadata: { pad: 'x'.repeat(1_100_000) } })] }), { status: 413, code: 'payload_too_large' });
    await c.send(post({ events: [shipmentEvent()] }, { token: null }), { status: 401, code: 'unauthorized' });
    await c.send(post({ events: [shipmentEvent()] }, { headers: { authorization: 'Bearer not.a.jwt' } }), { status: 401, code: 'unauthorized' });
    await c.send(post({ events: [shipmentEvent()] }, { token: readOnly }), { status: 403, code: 'insufficient_scope' });
    await c.send(post({ events: [shipmentEvent()] }, { token: partner }), { status: 403, code: 'partner_read_only' });

    // reads
    const page = await c.send({ method: 'GET', path: `/v1/streams/${stream}/events?limit=1&direction=forward`, token: read }, { status: 200 });
    expect(page.body.next).toContain('fromVersion=2');
    await c.send({ method: 'GET', path: `/v1/streams/${stream}/events?direction=backward`, token: read, headers: { 'if-none-match': page.headers.get('etag')! } }, { status: 304 });
    await c.send({ method: 'GET', path: `/v1/streams/${stream}/events?limit=0`, token: read }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'GET', path: `/v1/streams/${stream}/events?colour=red`, token: read }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'GET', path: `/v1/streams/shipment-${awb()}/events`, token: read }, { status: 404, code: 'stream_not_found' });
    await c.send({ method: 'GET', path: `/v1/streams/${stream}/events`, token: partner }, { status: 404, code: 'stream_not_found' });
    await c.send({ method: 'GET', path: `/v1/streams/${stream}/events`, token: await tok('tracking:write') }, { status: 403, code: 'insufficient_scope' });
    const info = await c.send({ method: 'GET', path: `/v1/streams/${stream}`, token: read }, { status: 200 });
    await c.send({ method: 'GET', path: `/v1/streams/${stream}`, token: read, headers: { 'if-none-match': info.headers.get('etag')! } }, { status: 304 });
    await c.send({ method: 'GET', path: `/v1/streams/${stream}`, token: read, headers: { 'if-none-match': 'abc' } }, { status: 400, code: 'invalid_header', invalid: true });
    await c.send({ method: 'GET', path: `/v1/streams/shipment-${awb()}`, token: read }, { status: 404, code: 'stream_not_found' });
    await c.send({ method: 'GET', path: '/v1/streams/shipment-045-12345670', token: read }, { status: 400, code: 'validation_failed', beyondSchema: 'the air waybill check digit' });
    await c.send({ method: 'GET', path: `/v1/streams/${stream}/state`, token: read }, { status: 200 });
    await c.send({ method: 'GET', path: `/v1/entities/shipment/${awb()}`, token: read, headers: { 'if-none-match': 'nope' } }, { status: 404, code: 'not_found' });
    await c.send({ method: 'GET', path: `/v1/streams/${stream}/state`, token: read, headers: { 'if-none-match': '*' } }, { status: 304 });
    await c.send({ method: 'GET', path: `/v1/streams/shipment-${awb()}/state`, token: read }, { status: 404, code: 'stream_not_found' });
    await c.send({ method: 'GET', path: '/v1/streams/uld-x/state', token: read }, { status: 400, code: 'validation_failed', invalid: true });
  });

  it('shows superseded schema versions upcast on every read', async () => {
    const flightStream = `flight-${fid.replace(/^LA/, 'IB')}`;
    const v1 = { flightId: fid.replace(/^LA/, 'IB'), status: 'SCHEDULED', newStatus: 'BOARDING', timestamp: '2026-11-22T13:20:00-05:00', location: 'LIM' };
    await c.send({ method: 'POST', path: `/v1/streams/${flightStream}/events`, token: write, body: { events: [{ type: 'FlightStatusChanged', schemaVersion: 1, data: v1 }] } }, { status: 201 });
    const r = await c.send({ method: 'GET', path: `/v1/streams/${flightStream}/events`, token: read }, { status: 200 });
    expect(r.body.events[0]).toMatchObject({ schemaVersion: 2, data: { newStatus: 'Boarding' } });
  });

  it('appends batches, answering each item', async () => {
    const other = `shipment-${awb()}`;
    const res = await c.send(
      {
        method: 'POST', path: '/v1/events:batch', token: write, headers: { 'x-source': 'site-buffer' },
        body: {
          items: [
            { streamId: other, expectedVersion: 'no_stream', events: [shipmentEvent()] },
            { streamId: stream, expectedVersion: 0, events: [shipmentEvent()] },
            { streamId: 'nope', events: [] },
            { streamId: other, events: [shipmentEvent({ type: 'NoSuchEvent' })] },
            null,
          ],
        },
      },
      { status: 200 },
    );
    expect(res.body.items.map((i: any) => i.status)).toEqual([201, 409, 400, 422, 400]);
    await c.send({ method: 'POST', path: '/v1/events:batch', token: write, body: { items: [] } }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'POST', path: '/v1/events:batch', token: write, body: { items: 'all' } }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'POST', path: '/v1/events:batch', token: write, raw: '[', headers: { 'content-type': 'application/json' } }, { status: 400, code: 'malformed_json', invalid: true });
    const many = Array.from({ length: 6 }, () => ({ streamId: `shipment-${awb()}`, events: Array.from({ length: 100 }, () => shipmentEvent()) }));
    await c.send({ method: 'POST', path: '/v1/events:batch', token: write, body: { items: many } }, { status: 413, code: 'too_many_events' });
    await c.send({ method: 'POST', path: '/v1/events:batch', token: write, raw: '{}', headers: { 'content-type': 'text/csv' } }, { status: 415, code: 'unsupported_media_type' });
    await c.send({ method: 'POST', path: '/v1/events:batch', token: partner, body: { items: [] } }, { status: 403, code: 'partner_read_only' });
    await c.send({ method: 'POST', path: '/v1/events:batch', token: write, body: { items: [] }, headers: { 'x-correlation-id': '42' } }, { status: 400, invalid: true });
  });

  it('decides commands', async () => {
    const cmd = (path: string, body: unknown, want: Parameters<Contract['send']>[1], headers?: Record<string, string>) =>
      c.send({ method: 'POST', path, token: write, body, headers }, want);
    // flights
    const schedule = { scheduledDeparture: '2026-11-22T14:00:00Z', scheduledArrival: '2026-11-22T18:00:00Z', origin: 'LIM', destination: 'SCL' };
    await cmd(`/v1/flights/${fid}/schedule`, schedule, { status: 201 });
    await cmd(`/v1/flights/${fid}/schedule`, schedule, { status: 409, code: 'flight_already_scheduled' });
    await cmd(`/v1/flights/${fid}/status`, { newStatus: 'Boarding', location: 'LIM/GATE/A5' }, { status: 201 });
    await cmd(`/v1/flights/${fid}/status`, { newStatus: 'Landed' }, { status: 400, code: 'validation_failed', invalid: true });
    await cmd(`/v1/flights/${fid}/milestones`, { milestone: 'OnBlock' }, { status: 201 });
    await cmd(`/v1/flights/${fid}/milestones`, { milestone: 'LoadingCompleted' }, { status: 409, code: 'milestone_out_of_order' });
    await cmd(`/v1/flights/LA12-2026-02-30/schedule`, schedule, { status: 400, code: 'invalid_entity_id', beyondSchema: 'a calendar date' });
    // shipments: keyed retries, context headers
    const headers = { 'idempotency-key': `rcs-${shipment}`, 'x-causation-id': crypto.randomUUID(), 'x-correlation-id': crypto.randomUUID(), 'x-source': 'LIM-WH2-4' };
    const rcs = { code: 'RCS', pieces: 3, weightKg: 120, location: 'LIM/WH2', flight: fid, occurredAt: '2026-11-22T10:00:00Z' };
    await cmd(`/v1/shipments/${shipment}/statuses`, rcs, { status: 201 }, headers);
    const replay = await cmd(`/v1/shipments/${shipment}/statuses`, rcs, { status: 201 }, headers);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    await cmd(`/v1/shipments/${shipment}/statuses`, { ...rcs, pieces: 4 }, { status: 422, code: 'idempotency_key_reused' }, headers);
    await cmd(`/v1/shipments/${shipment}/statuses`, { ...rcs, commandId: 'other' }, { status: 400, code: 'conflicting_idempotency_key', beyondSchema: 'Idempotency-Key and commandId disagree' }, headers);
    await cmd(`/v1/shipments/${shipment}/statuses`, { code: 'FOH', pieces: 3, weightKg: 120, location: 'LIM/WH2' }, { status: 409, code: 'wrong_expected_version' }, { 'if-match': '"0"' });
    await cmd(`/v1/shipments/${shipment}/statuses`, { code: 'FOH', pieces: 3, weightKg: 120, location: 'LIM/WH2' }, { status: 201 }, { 'if-match': '"1"' });
    await cmd(`/v1/shipments/${shipment}/statuses`, { code: 'DLV', pieces: 1, weightKg: 1, location: 'SCL' }, { status: 409, code: 'delivery_before_receipt' });
    await cmd(`/v1/shipments/${shipment}/statuses`, { code: 'DIS', pieces: 1, weightKg: 1 }, { status: 400, code: 'validation_failed', invalid: true });
    await cmd(`/v1/shipments/${shipment}/statuses`, { code: 'RCS', pieces: 1, weightKg: 1, discrepancy: 'MSCA' }, { status: 400, code: 'validation_failed', invalid: true });
    await cmd(`/v1/shipments/${shipment}/statuses`, { code: 'RCS', pieces: 1, weightKg: 1, colour: 'red' }, { status: 400, code: 'validation_failed', invalid: true });
    await cmd(`/v1/shipments/${shipment}/statuses`, { code: 'RCS', pieces: 1, weightKg: 1, location: 'QQQ' }, { status: 400, code: 'validation_failed', beyondSchema: 'the IATA airport list' });
    await cmd(`/v1/shipments/${shipment}/statuses`, [], { status: 400, code: 'validation_failed', invalid: true });
    await cmd(`/v1/shipments/045-12345670/statuses`, rcs, { status: 400, code: 'invalid_entity_id', beyondSchema: 'the air waybill check digit' });
    await cmd(`/v1/shipments/45-1/statuses`, rcs, { status: 400, code: 'invalid_entity_id', invalid: true });
    await cmd(`/v1/shipments/${shipment}/statuses`, rcs, { status: 400, code: 'invalid_header', invalid: true }, { 'idempotency-key': 'has space' });
    await cmd(`/v1/shipments/${shipment}/statuses`, rcs, { status: 400, code: 'invalid_header', invalid: true }, { 'x-causation-id': 'nope' });
    await c.send({ method: 'POST', path: `/v1/shipments/${shipment}/statuses`, token: write, raw: '{"code":', headers: { 'content-type': 'application/json' } }, { status: 400, code: 'malformed_json', invalid: true });
    await c.send({ method: 'POST', path: `/v1/shipments/${shipment}/statuses`, token: write, raw: 'code=RCS', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, { status: 415, code: 'unsupported_media_type' });
    await cmd(`/v1/shipments/${shipment}/statuses`, { ...rcs, pad: 'x'.repeat(70_000) }, { status: 413, code: 'payload_too_large' });
    await c.send({ method: 'POST', path: `/v1/shipments/${shipment}/statuses`, token: partner, body: rcs }, { status: 403, code: 'partner_read_only' });
    await c.send({ method: 'POST', path: `/v1/shipments/${shipment}/statuses`, token: readOnly, body: rcs }, { status: 403, code: 'insufficient_scope' });
    await c.send({ method: 'POST', path: `/v1/shipments/${shipment}/statuses`, token: null, body: rcs }, { status: 401, code: 'unauthorized' });
    // baggage
    await cmd(`/v1/baggage/${tag}/tag`, { passengerRef: 'PNR-CONF-1', flights: [fid], location: 'LIM' }, { status: 201 });
    await cmd(`/v1/baggage/${tag}/tag`, { passengerRef: 'PNR-CONF-1', flights: [fid] }, { status: 409, code: 'tag_already_issued' });
    await cmd(`/v1/baggage/${tag}/scans`, { point: 'Acceptance', location: 'LIM' }, { status: 201 });
    await cmd(`/v1/baggage/${bagTag('045')}/scans`, { point: 'Acceptance' }, { status: 409, code: 'tag_not_issued' });
    await cmd(`/v1/baggage/${tag}/mishandlings`, { reason: 'Delayed', report: 'LIMLA00001' }, { status: 201 });
    await cmd(`/v1/baggage/${bagTag('045')}/mishandlings`, { reason: 'Delayed' }, { status: 409, code: 'tag_not_issued' });
    await cmd(`/v1/baggage/${tag}/scans`, { point: 'Lost' }, { status: 400, code: 'validation_failed', invalid: true });
    // ULDs
    await cmd(`/v1/ulds/${uld}/loads`, { flight: fid, shipments: [shipment], location: 'LIM/WH2' }, { status: 201 });
    await cmd(`/v1/ulds/${uld}/loads`, { flight: fid, shipments: [shipment] }, { status: 409, code: 'uld_already_loaded' });
    await cmd(`/v1/ulds/${uldId('LA')}/loads`, { flight: fid, shipments: [awb()] }, { status: 409, code: 'uld_load_unknown_items' });
    await cmd(`/v1/ulds/${uld}/status`, { serviceable: false }, { status: 409, code: 'uld_loaded' });
    await cmd(`/v1/ulds/${uld}/unloads`, { flight: fid }, { status: 201 });
    await cmd(`/v1/ulds/${uld}/unloads`, {}, { status: 409, code: 'uld_not_loaded' });
    await cmd(`/v1/ulds/${uld}/status`, { serviceable: false }, { status: 201 });
    await cmd(`/v1/ulds/${uld}/status`, { serviceable: 'no' }, { status: 400, code: 'validation_failed', invalid: true });
    // equipment
    await cmd(`/v1/equipment/${equipment}/assignments`, { flight: fid, task: 'pushback' }, { status: 201 });
    await cmd(`/v1/equipment/${equipment}/assignments`, { flight: fid, task: 'pushback' }, { status: 409, code: 'equipment_already_assigned' });
    await cmd(`/v1/equipment/${equipment}/releases`, {}, { status: 201 });
    await cmd(`/v1/equipment/${equipment}/releases`, {}, { status: 409, code: 'equipment_not_assigned' });
    await cmd(`/v1/equipment/${equipment}/faults`, { fault: 'hydraulic leak' }, { status: 201 });
    await cmd(`/v1/equipment/${equipment}/faults`, { fault: 'nul\u0000byte' }, { status: 400, code: 'validation_failed', beyondSchema: 'no NUL character in any string' });
    await c.send({ method: 'POST', path: `/v1/equipment/${equipment}/faults`, token: write, raw: '{"fault":"leak","__proto__":{}}', headers: { 'content-type': 'application/json' } }, { status: 422, code: 'forbidden_key', invalid: true });
    await cmd(`/v1/equipment/${equipment}/faults`, { fault: 'x' }, { status: 400, code: 'validation_failed', invalid: true });
    await cmd(`/v1/equipment/tug 7/faults`, { fault: 'leak' }, { status: 400, code: 'invalid_entity_id', invalid: true });
  });

  it('reads the read models', async () => {
    const status = await eventually(async () => {
      const r = await api('GET', `/v1/entities/shipment/${shipment}`, { token: read });
      return r.status === 200 && r;
    });
    await c.send({ method: 'GET', path: `/v1/entities/shipment/${shipment}`, token: read }, { status: 200 });
    await c.send({ method: 'GET', path: `/v1/entities/shipment/${shipment}`, token: read, headers: { 'if-none-match': status.headers.get('etag')! } }, { status: 304 });
    await c.send({ method: 'GET', path: `/v1/entities/shipment/${awb()}`, token: read }, { status: 404, code: 'not_found' });
    await c.send({ method: 'GET', path: `/v1/entities/shipment/${shipment}`, token: partner }, { status: 404, code: 'not_found' });
    await c.send({ method: 'GET', path: '/v1/entities/shipment/045-12345670', token: read }, { status: 400, code: 'validation_failed', beyondSchema: 'the air waybill check digit' });
    await c.send({ method: 'GET', path: '/v1/entities/ship/045-12345675', token: read }, { status: 400, code: 'validation_failed', invalid: true });
    // timeline
    await eventually(async () => (await api('GET', `/v1/entities/baggage/${tag}/timeline`, { token: read })).body?.items?.length === 3);
    const first = await c.send({ method: 'GET', path: `/v1/entities/baggage/${tag}/timeline?limit=1`, token: read }, { status: 200 });
    await c.send({ method: 'GET', path: `/v1/entities/baggage/${tag}/timeline?limit=2&cursor=${first.body.next}`, token: read }, { status: 200 });
    await c.send({ method: 'GET', path: `/v1/entities/baggage/${tag}/timeline?cursor=bogus`, token: read }, { status: 400, code: 'invalid_cursor' });
    await c.send({ method: 'GET', path: `/v1/entities/baggage/${tag}/timeline?limit=501`, token: read }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'GET', path: `/v1/entities/baggage/${bagTag()}/timeline`, token: read }, { status: 404, code: 'not_found' });
    // search
    await c.send({ method: 'GET', path: `/v1/entities?type=shipment&status=RCS,FOH&location=LIM&flight=${fid}&limit=5`, token: read }, { status: 200 });
    await c.send({ method: 'GET', path: '/v1/entities?updatedSince=2026-01-01T00:00:00-05:00', token: partner }, { status: 200 });
    await c.send({ method: 'GET', path: '/v1/entities?type=ship', token: read }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'GET', path: '/v1/entities?limit=500', token: read }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'GET', path: '/v1/entities?cursor=bogus', token: read }, { status: 400, code: 'invalid_cursor' });
    // manifest
    await eventually(async () => (await api('GET', `/v1/flights/${fid}/manifest`, { token: read })).status === 200);
    await c.send({ method: 'GET', path: `/v1/flights/${fid}/manifest`, token: read }, { status: 200 });
    await c.send({ method: 'GET', path: `/v1/flights/${fid}/manifest`, token: partner }, { status: 404, code: 'not_found' });
    await c.send({ method: 'GET', path: '/v1/flights/LA1-2026-11-21/manifest', token: read }, { status: 404, code: 'not_found' });
    await c.send({ method: 'GET', path: '/v1/flights/LA1-2026-13-01/manifest', token: read }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'GET', path: '/v1/flights/LA1-2026-02-30/manifest', token: read }, { status: 400, code: 'validation_failed', beyondSchema: 'a calendar date' });
    // metrics
    await c.send({ method: 'GET', path: '/v1/metrics/operations?metric=turnaround&location=LIM&bucket=day', token: read }, { status: 200 });
    await c.send({ method: 'GET', path: '/v1/metrics/operations?metric=mishandled_per_1000&from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z&bucket=day', token: read }, { status: 200 });
    await c.send({ method: 'GET', path: '/v1/metrics/operations?metric=delay&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', token: read }, { status: 400, code: 'invalid_range' });
    await c.send({ method: 'GET', path: '/v1/metrics/operations?metric=speed', token: read }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'GET', path: '/v1/metrics/operations', token: read }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'GET', path: '/v1/metrics/operations?metric=delay', token: null }, { status: 401, code: 'unauthorized' });
  });

  it('runs the admin routes', async () => {
    await c.send({ method: 'GET', path: '/v1/admin/projections', token: admin }, { status: 200 });
    await c.send({ method: 'GET', path: '/v1/admin/projections', token: read }, { status: 403, code: 'insufficient_scope' });
    await c.send({ method: 'GET', path: '/v1/admin/projections', token: partner }, { status: 403, code: 'partner_read_only' });
    await c.send({ method: 'GET', path: '/v1/admin/projections/status', token: operator }, { status: 200 });
    await c.send({ method: 'GET', path: '/v1/admin/projections/nope', token: operator }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'POST', path: '/v1/admin/projections/metrics/rebuild', token: admin }, { status: 403, code: 'insufficient_scope' });
    await c.send({ method: 'POST', path: '/v1/admin/projections/nope/rebuild', token: operator }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'POST', path: '/v1/admin/projections/metrics/rebuild', token: operator }, { status: 202 });
    await c.send({ method: 'POST', path: '/v1/admin/projections/metrics/rebuild', token: operator }, { status: 409, code: 'rebuild_in_progress' });
    await c.send({ method: 'GET', path: '/v1/admin/projections/metrics', token: operator }, { status: 200 });
    await eventually(async () => (await api('GET', '/v1/admin/projections/metrics', { token: operator })).body.state === 'live', 25_000);
    await c.send({ method: 'GET', path: '/v1/admin/projections/metrics', token: operator }, { status: 200 });
    // dead letters: one parked by hand, pointing at a committed stream (a replay is idempotent)
    const [row] = await sql<{ id: string }>(
      `insert into dead_letters (message_id, queue, tenant_id, body, attempts) values ($1, 'tracktrace-events', $2, $3, 6) returning id`,
      [crypto.randomUUID(), TENANT, JSON.stringify({ tenantId: TENANT, streamId: stream, fromVersion: 1, toVersion: 1 })],
    );
    await c.send({ method: 'GET', path: '/v1/admin/dead-letters?includeReplayed=true&limit=5', token: admin }, { status: 200 });
    await c.send({ method: 'GET', path: '/v1/admin/dead-letters?limit=0', token: admin }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'POST', path: `/v1/admin/dead-letters/${row!.id}/replay`, token: operator }, { status: 202 });
    await c.send({ method: 'POST', path: `/v1/admin/dead-letters/${row!.id}/replay`, token: admin }, { status: 403, code: 'insufficient_scope' });
    await c.send({ method: 'POST', path: '/v1/admin/dead-letters/999999999999/replay', token: operator }, { status: 404, code: 'not_found' });
    await c.send({ method: 'POST', path: '/v1/admin/dead-letters/abc/replay', token: operator }, { status: 400, code: 'validation_failed', invalid: true });
  });

  it('runs the retention admin routes', async () => {
    await c.send({ method: 'GET', path: '/v1/admin/retention', token: admin }, { status: 200 });
    await c.send({ method: 'GET', path: '/v1/admin/retention?tenantId=someone-else', token: admin }, { status: 403, code: 'insufficient_scope' });
    await c.send({ method: 'GET', path: '/v1/admin/retention/shipment', token: operator }, { status: 200 });
    await c.send({ method: 'GET', path: '/v1/admin/retention/pallet', token: admin }, { status: 400, code: 'validation_failed', invalid: true });
    await c.send({ method: 'PUT', path: '/v1/admin/retention/equipment', token: admin, body: { events: 'P400D' } }, { status: 200 });
    await c.send({ method: 'PUT', path: '/v1/admin/retention/equipment', token: admin, body: { events: 'P1Y' } }, { status: 400, code: 'validation_failed', beyondSchema: 'years and months have no fixed length' });
    await c.send({ method: 'PUT', path: '/v1/admin/retention/equipment', token: admin, body: { events: null } }, { status: 200 });
  });

  it('serves Prometheus metrics to operators', async () => {
    await c.send({ method: 'GET', path: '/metrics', token: operator }, { status: 200 });
    await c.send({ method: 'GET', path: '/metrics', token: null }, { status: 401, code: 'unauthorized' });
    await c.send({ method: 'GET', path: '/metrics', token: admin }, { status: 403, code: 'insufficient_scope' });
  });

  it('opens live subscriptions', async () => {
    const ws = (query: string, token: string | null, headers: Record<string, string> = { upgrade: 'websocket' }) =>
      ({ method: 'GET', path: `/v1/subscriptions/ws${query}`, token, headers });
    await c.send(ws(`?flight=${fid}&location=LIM/WH2&type=shipment`, read), { status: 101 });
    await c.send(ws(`?tenant=${TENANT}&cursor=0`, null), { status: 101 });
    await c.send(ws('?type=ship', read), { status: 400, code: 'validation_failed', invalid: true });
    await c.send(ws('?entity=shipment', read), { status: 400, code: 'validation_failed', invalid: true });
    await c.send(ws('', null), { status: 400, code: 'validation_failed', beyondSchema: 'tenant is required without an Authorization header' });
    await c.send(ws('', read, {}), { status: 426, code: 'upgrade_required' });
    await c.send(ws('', null, {}), { status: 401, code: 'unauthorized' });
    await c.send(ws('', await tok('tracking:write')), { status: 403, code: 'insufficient_scope' });
    const greedy = await token({ tenant: TENANT, scope: 'tracking:read', subject: 'conformance-greedy' });
    for (let i = 0; i < 10; i++) await c.send(ws('', greedy), { status: 101 });
    await c.send(ws('', greedy), { status: 429, code: 'too_many_subscriptions' });
    // SSE never ends: its head is checked against the document, then the stream is dropped
    const res = await (exports as any).default.fetch(new Request(`http://api.test/v1/subscriptions/sse?type=shipment`, { headers: { authorization: `Bearer ${partner}`, 'last-event-id': '0' } }));
    const reader = res.body.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('retry:');
    await reader.cancel();
    expect(c.responseProblems({ status: res.status, headers: res.headers, body: undefined, text: '' }, c.find('GET', '/v1/subscriptions/sse')!)).toEqual([]);
    await c.send({ method: 'GET', path: '/v1/subscriptions/sse', token: read, headers: { 'last-event-id': 'x' } }, { status: 400, code: 'invalid_header', invalid: true });
    await c.send({ method: 'GET', path: '/v1/subscriptions/sse?tenant=x', token: read }, { status: 400, code: 'validation_failed', invalid: true });
  });

  it('answers 405 with Allow on every path, for a method it does not take', async () => {
    for (const [template, item] of Object.entries<any>(c.doc.paths)) {
      const method = item.get ? 'DELETE' : 'PUT';
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
        const p = Object.values<any>(item)[0].parameters.find((x: any) => x.name === name);
        return encodeURIComponent(String(p.example));
      });
      const res = await c.send({ method, path, token: template.startsWith('/v1/') ? operator : null }, { status: 405, code: 'method_not_allowed' });
      expect(res.headers.get('allow')!.split(', ').sort()).toEqual(Object.keys(item).map((m) => m.toUpperCase()).sort());
    }
  });

  it('exercised every operation with a success and an error', () => {
    for (const ops of Object.values<any>(c.doc.paths)) {
      for (const op of Object.values<any>(ops)) {
        const seen = [...(c.seen.get(op.operationId) ?? [])];
        expect(seen.some((s) => s < 400), `${op.operationId} success (seen ${seen})`).toBe(true);
        expect(seen.some((s) => s >= 400), `${op.operationId} error (seen ${seen})`).toBe(true);
      }
    }
  });
});
