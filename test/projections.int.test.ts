// The read side end to end: appends and commands through the API reach every read model via the
// outbox, the events queue and the projector, inside workerd with real Postgres and local Queues.
import { describe, expect, it } from 'vitest';
import { api, awb, bagTag, eventually, ev, flightId, sql, uldId } from './helpers/api';

const status = (type: string, id: string) => api('GET', `/v1/entities/${type}/${id}`);
const projected = (type: string, id: string, version: number) =>
  eventually(async () => {
    const r = await status(type, id);
    return r.status === 200 && r.body.version >= version && r.body;
  });

describe('projections', () => {
  it('shows a shipment where it is, with its timeline, once appended', async () => {
    const id = awb();
    const s = `shipment-${id}`;
    await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev({ location: 'LIM/WH2/B-14', occurredAt: '2026-11-23T12:15:00Z' })] } });
    const res = await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev({ location: 'LIM/WH2', data: { code: 'FOH', pieces: 3, weightKg: 120 } })] } });
    expect(res.status).toBe(201);
    const body = await projected('shipment', id, 2);
    expect(body).toMatchObject({ entityType: 'shipment', entityId: id, status: 'FOH', location: 'LIM/WH2', airport: 'LIM', pieces: 3, weightKg: 120, version: 2, carriers: ['045'] });
    expect(body.details.piecesReceived).toBe(3);
    const tl = await api('GET', `/v1/entities/shipment/${id}/timeline`);
    expect(tl.status).toBe(200);
    expect(tl.body.items.map((i: any) => i.version)).toEqual([1, 2]);
    expect(tl.body.items[0]).toMatchObject({ type: 'ShipmentStatusRecorded', location: 'LIM/WH2/B-14', localTime: '2026-11-23 07:15 -05:00', actor: 'scanner-7' });
    expect(tl.body.items[0].description).toContain('Received from shipper: 3 pcs, 120 kg');
    // nothing is left in the outbox once applied
    await eventually(async () => (await sql('select 1 from outbox where stream_id = $1', [s])).length === 0);
  });

  it('applies the same batch twice, or in reverse order, to the same result', async () => {
    const { Projector } = await import('../src/projections/projector');
    expect(Projector).toBeTruthy();
    const id = awb();
    const s = `shipment-${id}`;
    for (const code of ['RCS', 'FOH', 'PRE']) {
      expect((await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev({ data: { code, pieces: 3, weightKg: 120 } })] } })).status).toBe(201);
    }
    await projected('shipment', id, 3);
    const before = await sql('select * from rm_status where stream_id = $1', [s]);
    const timelineBefore = await sql('select version, description from rm_timeline where stream_id = $1 order by version', [s]);
    const { env } = await import('cloudflare:workers');
    const projector = (env as Env).PROJECTOR.get((env as Env).PROJECTOR.idFromName('projector'));
    const msgs = [1, 2, 3].map((v) => ({ tenantId: 'tenant-a', streamId: s, fromVersion: v, toVersion: v }));
    expect(await projector.apply(msgs)).toEqual([]);
    expect(await projector.apply([...msgs].reverse())).toEqual([]);
    expect(await sql('select * from rm_status where stream_id = $1', [s])).toEqual(before);
    expect(await sql('select version, description from rm_timeline where stream_id = $1 order by version', [s])).toEqual(timelineBefore);
  });

  it('folds later events onto the stored status row, which is the only copy of that state', async () => {
    const id = awb();
    const s = `shipment-${id}`;
    await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev({ location: 'LIM/WH2', data: { code: 'RCS', pieces: 3, weightKg: 120 } })] } });
    await projected('shipment', id, 1);
    // no location and fewer pieces: where it is and what was received come from the stored row
    await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev({ location: undefined, data: { code: 'FOH', pieces: 2, weightKg: 80 } })] } });
    const body = await projected('shipment', id, 2);
    expect(body).toMatchObject({ status: 'FOH', location: 'LIM/WH2', airport: 'LIM', pieces: 2, version: 2 });
    expect(body.details.piecesReceived).toBe(3);
    expect(await sql('select version::int, state from rm_status_applied where stream_id = $1', [s])).toEqual([{ version: 2, state: null }]);
  });

  it('builds a flight manifest across ULD, shipment and bag streams', async () => {
    const flight = flightId('LA');
    const [shipment, bag, uld] = [awb(), bagTag('045'), uldId('LA')];
    await api('POST', `/v1/streams/shipment-${shipment}/events`, { body: { events: [ev({ data: { code: 'RCS', pieces: 4, weightKg: 80 } })] } });
    await api('POST', `/v1/baggage/${bag}/tag`, { body: { passengerRef: 'PNR-ABC123', flights: [flight] } });
    const load = await api('POST', `/v1/ulds/${uld}/loads`, { body: { flight, shipments: [shipment], bags: [bag], location: 'LIM/STAND/12' } });
    expect(load.status).toBe(201);
    const m = await eventually(async () => {
      const r = await api('GET', `/v1/flights/${flight}/manifest`);
      return r.status === 200 && r.body.totals.shipments === 1 && r.body.ulds[0]?.shipments[0]?.pieces === 4 && r.body;
    });
    expect(m.ulds).toHaveLength(1);
    expect(m.ulds[0]).toMatchObject({ id: uld, status: 'Loaded', bags: [{ id: bag }] });
    expect(m.totals).toMatchObject({ ulds: 1, shipments: 1, bags: 1, pieces: 4, weightKg: 80 });
    // unloading empties it
    expect((await api('POST', `/v1/ulds/${uld}/unloads`, { body: {} })).status).toBe(201);
    await eventually(async () => (await sql('select 1 from rm_manifest where flight_id = $1', [flight])).length === 0);
    // a flight nobody scheduled, with nothing on it, is unknown
    expect((await api('GET', `/v1/flights/${flight}/manifest`)).status).toBe(404);
  });

  it('refuses a ULD load listing a shipment or bag that does not exist', async () => {
    const flight = flightId('LA');
    const ghost = awb();
    const res = await api('POST', `/v1/ulds/${uldId()}/loads`, { body: { flight, shipments: [ghost] } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'uld_load_unknown_items', missing: [`shipment-${ghost}`] });
  });

  it('searches current status by type, status, place and time', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const tags = [bagTag(), bagTag(), bagTag()];
    for (const [i, tag] of tags.entries()) {
      await api('POST', `/v1/baggage/${tag}/tag`, { body: { passengerRef: `PNR-${i}XYZ`, flights: [flightId()] } });
      if (i < 2) await api('POST', `/v1/baggage/${tag}/mishandlings`, { body: { reason: 'Delayed', location: 'LIM/BAGS' } });
    }
    const found = await eventually(async () => {
      const r = await api('GET', `/v1/entities?type=baggage&status=Mishandled&location=LIM&updatedSince=${encodeURIComponent(since)}&limit=1`);
      return r.status === 200 && r.body.next && r.body;
    });
    expect(found.items).toHaveLength(1);
    const second = await api('GET', `/v1/entities?type=baggage&status=Mishandled&location=LIM&updatedSince=${encodeURIComponent(since)}&limit=1&cursor=${found.next}`);
    expect(second.body.items).toHaveLength(1);
    const both = [found.items[0].entityId, second.body.items[0].entityId].sort();
    expect(both).toEqual(tags.slice(0, 2).sort());
    expect(second.body.next).toBeNull();
  });

  it('finds a place and everything under it, and not a place that merely starts the same', async () => {
    const [at, under, beside] = [awb(), awb(), awb()];
    for (const [id, location] of [[at, 'LIM/WH2'], [under, 'LIM/WH2/B-14'], [beside, 'LIM/WH20']]) {
      expect((await api('POST', `/v1/streams/shipment-${id}/events`, { body: { events: [ev({ location, data: { code: 'NFD', pieces: 1, weightKg: 1 } })] } })).status).toBe(201);
    }
    const found = await eventually(async () => {
      const ids: string[] = [];
      for (let url: string | null = '/v1/entities?type=shipment&status=NFD&location=LIM/WH2&limit=200'; url; ) {
        const r = await api('GET', url);
        ids.push(...r.body.items.map((i: any) => i.entityId));
        url = r.body.next ? `/v1/entities?type=shipment&status=NFD&location=LIM/WH2&limit=200&cursor=${r.body.next}` : null;
      }
      return ids.includes(at) && ids.includes(under) && ids;
    });
    expect(found).not.toContain(beside);
  });

  it('answers operational metrics per bucket', async () => {
    const flight = flightId('LA', '2026-11-20');
    const s = `flight-${flight}`;
    const at = (m: number) => new Date(Date.UTC(2026, 10, 20, 15, m)).toISOString();
    await api('POST', `/v1/streams/${s}/events`, {
      body: {
        events: [
          { type: 'TurnaroundMilestoneRecorded', location: 'CUZ/STAND/3', occurredAt: at(0), data: { milestone: 'OnBlock', at: at(0) } },
          { type: 'TurnaroundMilestoneRecorded', location: 'CUZ/STAND/3', occurredAt: at(42), data: { milestone: 'OffBlock', at: at(42) } },
        ],
      },
    });
    const body = await eventually(async () => {
      const r = await api('GET', `/v1/metrics/operations?metric=turnaround&location=CUZ&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z&bucket=day`);
      return r.status === 200 && r.body.buckets.length && r.body;
    });
    expect(body.buckets[0]).toMatchObject({ start: '2026-11-20T00:00:00.000Z', count: 1, min: 42, max: 42, p50: 42, p95: 42 });
  });
});
