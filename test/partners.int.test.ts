// Partners see only what is theirs, on every read route, and never write.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, awb, bagTag, eventually, ev, flightId, token, uldId } from './helpers/api';

/** An AWB with another airline's prefix. */
const awbOf = (prefix: string) => `${prefix}${awb().slice(3)}`;

const la = () => token({ scope: 'tracking:read', carriers: ['LA', '045'] });
const av = () => token({ scope: 'tracking:read', carriers: ['AV', '134'] });

// tenant-a: LA's flight carries an LA ULD with a 045 shipment, a 134 shipment and an LA bag;
// AV has its own flight, shipment and bag; a 134 shipment stays on the ground.
const w = {
  laFlight: flightId('LA', '2026-11-19'), avFlight: flightId('AV', '2026-11-19'),
  laShipment: awb(), avOnLa: awbOf('134'), avShipment: awbOf('134'),
  laBag: bagTag('045'), avBag: bagTag('134'), uld: uldId('LA'),
};

const seen = (type: string, id: string) => eventually(async () => (await api('GET', `/v1/entities/${type}/${id}`)).status === 200);

beforeAll(async () => {
  const at = (m: number) => new Date(Date.UTC(2026, 10, 19, 14, m)).toISOString();
  for (const [flight, loc] of [[w.laFlight, 'LIM/STAND/3'], [w.avFlight, 'LIM/STAND/4']] as const) {
    expect((await api('POST', `/v1/streams/flight-${flight}/events`, {
      body: { events: [
        { type: 'TurnaroundMilestoneRecorded', location: loc, occurredAt: at(0), data: { milestone: 'OnBlock', at: at(0) } },
        { type: 'TurnaroundMilestoneRecorded', location: loc, occurredAt: at(50), data: { milestone: 'OffBlock', at: at(50) } },
      ] },
    })).status).toBe(201);
  }
  for (const s of [w.laShipment, w.avOnLa, w.avShipment]) {
    expect((await api('POST', `/v1/streams/shipment-${s}/events`, { body: { events: [ev({ location: 'LIM/WH2' })] } })).status).toBe(201);
  }
  for (const [bag, flight] of [[w.laBag, w.laFlight], [w.avBag, w.avFlight]]) {
    expect((await api('POST', `/v1/baggage/${bag}/tag`, { body: { passengerRef: 'PNR-Q1W2E3', flights: [flight] } })).status).toBe(201);
    expect((await api('POST', `/v1/baggage/${bag}/mishandlings`, { body: { reason: 'Delayed', location: 'LIM' } })).status).toBe(201);
  }
  expect((await api('POST', `/v1/ulds/${w.uld}/loads`, { body: { flight: w.laFlight, shipments: [w.laShipment, w.avOnLa], bags: [w.laBag] } })).status).toBe(201);
  await seen('uld', w.uld);
  await eventually(async () => (await api('GET', `/v1/flights/${w.laFlight}/manifest`)).body?.totals?.shipments === 2);
  for (const [t, id] of [['flight', w.avFlight], ['shipment', w.avShipment], ['baggage', w.avBag], ['baggage', w.laBag]]) await seen(t!, id!);
});

describe('partner access', () => {
  it('sees its own entities and what is loaded on its flights, by id and on the stream routes', async () => {
    const auth = await la();
    for (const [type, id] of [['flight', w.laFlight], ['shipment', w.laShipment], ['shipment', w.avOnLa], ['baggage', w.laBag], ['uld', w.uld]]) {
      const r = await api('GET', `/v1/entities/${type}/${id}`, { token: auth });
      expect(r.status, `${type} ${id}`).toBe(200);
      expect((await api('GET', `/v1/entities/${type}/${id}/timeline`, { token: auth })).status).toBe(200);
      expect((await api('GET', `/v1/streams/${type}-${id}/events`, { token: auth })).status).toBe(200);
    }
  });

  it("never sees another carrier's entity: not by id, stream, state, timeline or search", async () => {
    const auth = await la();
    const ghosts: Record<string, string> = { flight: flightId('AV', '2026-11-18'), shipment: awbOf('134'), baggage: bagTag('134') };
    const paths = (type: string, id: string) => [`/v1/entities/${type}/${id}`, `/v1/entities/${type}/${id}/timeline`, `/v1/streams/${type}-${id}/events`,
      `/v1/streams/${type}-${id}`, `/v1/streams/${type}-${id}/state`];
    const problem = ({ requestId: _, ...rest }: any, id: string) => JSON.stringify(rest).replaceAll(id, '<id>');
    for (const [type, id] of [['flight', w.avFlight], ['shipment', w.avShipment], ['baggage', w.avBag]] as const) {
      const ghost = ghosts[type]!;
      for (const [i, path] of paths(type, id).entries()) {
        const r = await api('GET', path, { token: auth });
        expect(r.status, path).toBe(404);
        // exactly what an entity that does not exist gets: nothing tells them apart
        const missing = await api('GET', paths(type, ghost)[i]!, { token: auth });
        expect(problem(r.body, id), path).toBe(problem(missing.body, ghost));
      }
    }
    const found: string[] = [];
    for (let url: string | null = '/v1/entities?limit=200'; url; ) {
      const r = await api('GET', url, { token: auth });
      expect(r.status).toBe(200);
      found.push(...r.body.items.map((i: any) => i.entityId));
      url = r.body.next ? `/v1/entities?limit=200&cursor=${r.body.next}` : null;
    }
    expect(found).toEqual(expect.arrayContaining([w.laFlight, w.laShipment, w.avOnLa, w.laBag, w.uld]));
    for (const id of [w.avFlight, w.avShipment, w.avBag]) expect(found).not.toContain(id);
    // the other partner sees the mirror image
    const other = await av();
    expect((await api('GET', `/v1/entities/shipment/${w.avShipment}`, { token: other })).status).toBe(200);
    expect((await api('GET', `/v1/entities/shipment/${w.laShipment}`, { token: other })).status).toBe(404);
  });

  it("answers manifests of its own flights only", async () => {
    const mine = await api('GET', `/v1/flights/${w.laFlight}/manifest`, { token: await la() });
    expect(mine.status).toBe(200);
    expect(mine.body.ulds[0].shipments.map((s: any) => s.id).sort()).toEqual([w.laShipment, w.avOnLa].sort());
    expect((await api('GET', `/v1/flights/${w.avFlight}/manifest`, { token: await la() })).status).toBe(404);
    expect((await api('GET', `/v1/flights/${w.laFlight}/manifest`, { token: await av() })).status).toBe(404);
  });

  it("counts only its own operations in metrics", async () => {
    const q = '/v1/metrics/operations?metric=turnaround&location=LIM&from=2026-11-19T00:00:00Z&to=2026-11-20T00:00:00Z&bucket=day';
    const staff = await eventually(async () => {
      const r = await api('GET', q);
      return r.body?.buckets?.[0]?.count >= 2 && r.body;
    });
    const partner = await api('GET', q, { token: await la() });
    expect(partner.status).toBe(200);
    expect(partner.body.buckets[0].count).toBeLessThan(staff.buckets[0].count);
    const avOnly = await api('GET', q, { token: await token({ scope: 'tracking:read', carriers: ['ZZ'] }) });
    expect(avOnly.body.buckets).toEqual([]);
  });

  it('cannot append, command, upload a batch or administer (403)', async () => {
    const auth = await token({ scope: 'tracking:read tracking:write tracking:admin tracking:operator', carriers: ['LA'] });
    // (the scopes do not matter: a carriers claim makes a token read-only)
    const tries = [
      api('POST', `/v1/streams/shipment-${w.laShipment}/events`, { token: auth, body: { events: [ev()] } }),
      api('POST', `/v1/shipments/${w.laShipment}/statuses`, { token: auth, body: { code: 'FOH', pieces: 1, weightKg: 1 } }),
      api('POST', '/v1/events:batch', { token: auth, body: { items: [{ streamId: `shipment-${w.laShipment}`, events: [ev()] }] } }),
      api('POST', '/v1/admin/projections/status/rebuild', { token: auth }),
      api('GET', '/v1/admin/projections', { token: auth }),
      api('GET', '/v1/admin/dead-letters', { token: auth }),
    ];
    for (const r of await Promise.all(tries)) {
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await api('GET', `/v1/streams/shipment-${w.laShipment}`)).body.version).toBe(1); // nothing was written
  });

  it('refuses a malformed carriers claim (401)', async () => {
    for (const carriers of ['LA', [1], ['la'], ['LATAM'], [null]]) {
      const r = await api('GET', `/v1/entities/shipment/${w.laShipment}`, { token: await token({ scope: 'tracking:read', carriers }) });
      expect(r.status, JSON.stringify(carriers)).toBe(401);
    }
  });

  it("another tenant's staff see nothing of this tenant", async () => {
    const auth = await token({ tenant: 'tenant-b', scope: 'tracking:read' });
    expect((await api('GET', `/v1/entities/shipment/${w.laShipment}`, { token: auth })).status).toBe(404);
    expect((await api('GET', `/v1/flights/${w.laFlight}/manifest`, { token: auth })).status).toBe(404);
    const search = await api('GET', `/v1/entities?flight=${w.laFlight}`, { token: auth });
    expect(search.body.items).toEqual([]);
  });
});
