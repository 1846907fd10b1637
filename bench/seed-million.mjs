#!/usr/bin/env node
// Seeds the event store with ~1,000,000 events straight in PostgreSQL (no API, no outbox rows, no
// read models): a mix of flights, shipments, bags, ULDs and ground equipment tied together by
// flights, with catalog-valid payloads (src/domain/*.ts), versions contiguous 1..n per stream,
// occurred_at spread over the last ~3 days and recorded_at a few seconds to minutes after it.
// The read models are then built by the API's own rebuilds (bench/rebuild.mjs).
//
//   DATABASE_URL=postgres://…/tracktrace node bench/seed-million.mjs [--tenant bench] [--events 1000000]
//     [--flights 3000] [--shipments 78000] [--bags 66000] [--equipment 300] [--chunk 100000]
//
// What is generated (before the cut to --events, which drops the newest events overall, so every
// stream keeps a contiguous prefix of its versions):
//   flight-{AA}{nnn}-{date}  FlightScheduled v1, FlightStatusChanged v2 (CheckInOpen, [Delayed],
//                            Boarding, Departed, Arrived), 15 TurnaroundMilestoneRecorded v1   ~20 each
//   shipment-{ppp}-{awb}     ShipmentStatusRecorded v1: BKD RCS FOH PRE MAN DEP ARR RCF NFD DLV, 5-10 each;
//                            MAN/DEP name the flight (2 of 3 also a ULD)
//   baggage-{tag}            BagTagIssued, BagScanned Acceptance/Screened/Sorted/Loaded/Arrival/Claimed
//                            (1 in 40: BagMishandled instead of Claimed), 4-7 each
//   uld-{AKE12345LA}         UldLoaded {flight, shipments, bags} / UldUnloaded, 2 flights per ULD
//   equipment-{TUG-001}      EquipmentAssigned / EquipmentReleased, 15 flights each (+ a fault for 1 in 25)
// Events go in by occurred_at (global positions follow time, as live traffic would), in
// transactions of --chunk events. Prints one JSON line: {events, streams, byType, byEntity, seconds}.
// Refuses to run when the tenant already has events (use a fresh database).
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: a } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'bench' },
    events: { type: 'string', default: '1000000' },
    flights: { type: 'string', default: '3000' },
    shipments: { type: 'string', default: '78000' },
    bags: { type: 'string', default: '66000' },
    equipment: { type: 'string', default: '300' },
    chunk: { type: 'string', default: '100000' },
    url: { type: 'string', default: process.env.DATABASE_URL },
  },
});
if (!a.url) {
  console.error('seed-million: set DATABASE_URL or --url');
  process.exit(2);
}
const F = Number(a.flights), S = Number(a.shipments), B = Number(a.bags), E = Number(a.equipment);
const U = (F * 3) / 2; // ULDs: 3 per flight (2 cargo, 1 bags), each ULD flies 2 flights
if (F % 6 || F % 2 || F < 600) throw new Error('--flights: a multiple of 6, at least 600');
const LIMIT = Number(a.events), CHUNK = Number(a.chunk);
const log = (m) => console.error(`[seed] ${m}`);
const t0 = performance.now();
const c = new pg.Client({ connectionString: a.url });
await c.connect();
const q = async (label, sql, params = []) => {
  const s = performance.now();
  const r = await c.query(sql, params);
  log(`${label}: ${((performance.now() - s) / 1000).toFixed(1)} s${r.rowCount != null ? `, ${r.rowCount} rows` : ''}`);
  return r;
};

const [{ n }] = (await c.query('select count(*)::int as n from events where tenant_id = $1', [a.tenant])).rows;
if (n > 0) {
  console.error(`seed-million: tenant ${a.tenant} already has ${n} events; seed a fresh database`);
  process.exit(1);
}

await c.query(`set work_mem = '256MB'`);
await c.query('drop table if exists seed_plan, seed_flights, seed_shipments, seed_bags, seed_uld_lists, seed_ordered');
await c.query(`select setseed(0.42)`);
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const iso = (x) => `to_char((${x}) at time zone 'UTC', ${ISO})`;

// flights: day 0..2 = the three days before today (UTC); departures 06:00-22:00 UTC
await q('flights', `
  create unlogged table seed_flights as
  with a as (select array['LIM','MIA','JFK','GRU','SCL','BOG','MAD','LAX','CUZ','MEX','PTY','EZE'] as ap,
                    array['LA','AA','IB','AV','CM','UX'] as al)
  select f, fl.al || (100 + f / 6) as flight_number,
         fl.al || (100 + f / 6) || '-' || to_char(d.day, 'YYYY-MM-DD') as flight_id, fl.al as airline,
         d.dep, d.dep + make_interval(mins => 120 + (f * 53) % 360) as arr,
         a.ap[1 + f % 12] as origin, a.ap[1 + (f % 12 + 1 + (f / 12) % 11) % 12] as destination,
         case when f % 10 = 0 then 15 + f % 90 else 0 end as delay
    from a, generate_series(0, $1::int - 1) f,
         lateral (select a.al[1 + f % 6] as al) fl,
         lateral (select ((now() at time zone 'UTC')::date - 3 + (f * 3 / $1::int)) as day) d0,
         lateral (select d0.day, (d0.day::timestamp at time zone 'UTC') + make_interval(mins => 360 + (f * 37) % 960) as dep) d`,
  [F]);
await c.query('create unique index on seed_flights (f)');

await c.query(`create unlogged table seed_plan (stream_id text not null, entity_type text not null, ord int not null,
  occurred_at timestamptz not null, event_type text not null, schema_version int not null, data jsonb not null, location text)`);

// shipments (flight f = i*7919 mod F; 2 of 3 travel in a ULD: slot 0 or 1 of the flight) and bags
// (flight f = j*104729 mod F, in the flight's ULD slot 2), and what each ULD load lists
await q('shipments', `
  create unlogged table seed_shipments as
  select i, (array['045','001','075','230','134'])[1 + i % 5] || '-' || (1000000 + i) || ((1000000 + i) % 7) as awb,
         5 + i % 6 as n, (i::bigint * 7919 % $2::int)::int as f, (i / 11) % 3 <> 0 as in_uld, (i / 7) % 2 as slot, i % 37 as jitter, 1 + i % 20 as pieces, 5 + (i * 13) % 500 as kg
    from generate_series(0, $1::int - 1) i`, [S, F]);
await q('bags', `
  create unlogged table seed_bags as
  select j, '0' || (array['045','001','075','230','134'])[1 + j % 5] || lpad(j::text, 6, '0') as tag,
         4 + j % 4 as n, (j::bigint * 104729 % $2::int)::int as f
    from generate_series(0, $1::int - 1) j`, [B, F]);
await q('uld lists', `
  create unlogged table seed_uld_lists as
  select f, slot, jsonb_agg(awb order by awb) filter (where awb is not null) as shipments, jsonb_agg(tag order by tag) filter (where tag is not null) as bags
    from (select f, slot, awb, null as tag from seed_shipments where in_uld
          union all select f, 2, null, tag from seed_bags) x
   group by f, slot`);

// flight streams
await q('flight events', `
  insert into seed_plan
  select 'flight-' || fl.flight_id, 'flight', e.ord, e.at, e.type, e.sv, e.data, e.loc
    from seed_flights fl,
    lateral (
      select 1 as ord, fl.dep - interval '20 hours' as at, 'FlightScheduled' as type, 1 as sv, fl.origin as loc,
             jsonb_build_object('flightNumber', fl.flight_number, 'scheduledDeparture', ${iso('fl.dep')}, 'scheduledArrival', ${iso('fl.arr')},
                                'origin', fl.origin, 'destination', fl.destination) as data
      union all
      select 1 + s.k, s.at, 'FlightStatusChanged', 2, s.loc,
             jsonb_build_object('flightId', fl.flight_id, 'oldStatus', s.old, 'newStatus', s.new, 'timestamp', ${iso('s.at')},
                                'reason', case when s.new = 'Delayed' then 'Late inbound aircraft' else 'Not specified' end,
                                'updatedBy', 'ops-control', 'locationCode', s.loc, 'delayMinutes', case when s.k >= 2 then fl.delay else 0 end)
        from (values (1, fl.dep - interval '3 hours', 'Scheduled', 'CheckInOpen', fl.origin),
                     (2, fl.dep - interval '2 hours', 'CheckInOpen', 'Delayed', fl.origin),
                     (3, fl.dep - interval '40 minutes' + make_interval(mins => fl.delay), case when fl.delay > 0 then 'Delayed' else 'CheckInOpen' end, 'Boarding', fl.origin),
                     (4, fl.dep + make_interval(mins => fl.delay), 'Boarding', 'Departed', fl.origin),
                     (5, fl.arr + make_interval(mins => fl.delay), 'Departed', 'Arrived', fl.destination)) s(k, at, old, new, loc)
       where s.k <> 2 or fl.delay > 0
      union all
      select 10 + m.k, fl.dep - interval '95 minutes' + make_interval(mins => fl.delay + 6 * (m.k::int - 1)), 'TurnaroundMilestoneRecorded', 1,
             fl.origin || '/STAND/' || (1 + fl.f % 40),
             jsonb_build_object('milestone', m.name, 'at', ${iso(`fl.dep - interval '95 minutes' + make_interval(mins => fl.delay + 6 * (m.k::int - 1))`)})
        from unnest(array['OnBlock','DoorsOpen','UnloadingStarted','UnloadingCompleted','FuelingStarted','FuelingCompleted','CateringCompleted',
                          'CleaningCompleted','LoadingStarted','LoadingCompleted','BoardingStarted','BoardingCompleted','DoorsClosed',
                          'PushbackRequested','OffBlock']) with ordinality m(name, k)
    ) e`);

// shipment streams
const uldId = (x, airline) => `(array['AKE','PMC','AKH'])[1 + (${x}) % 3] || (10000 + (${x})) || ${airline}`;
await q('shipment events', `
  insert into seed_plan
  select 'shipment-' || sh.awb, 'shipment', e.ord, e.at, 'ShipmentStatusRecorded', 1, e.data, e.loc
    from seed_shipments sh join seed_flights fl using (f),
    lateral (
      select k as ord, at, loc,
             jsonb_strip_nulls(jsonb_build_object('code', code, 'pieces', sh.pieces, 'weightKg', sh.kg,
               'flight', case when code in ('MAN','DEP','ARR') then fl.flight_id end,
               'uld', case when code in ('MAN','DEP') and sh.in_uld then ${uldId(`(fl.f * 3 + sh.slot) % ${U}`, 'fl.airline')} end)) as data
        from (values (1, 'BKD', fl.dep - interval '30 hours' - make_interval(mins => sh.jitter), fl.origin),
                     (2, 'RCS', fl.dep - interval '10 hours' - make_interval(mins => sh.jitter), fl.origin || '/WH1'),
                     (3, 'FOH', fl.dep - interval '8 hours' - make_interval(mins => sh.jitter), fl.origin || '/WH1'),
                     (4, 'PRE', fl.dep - interval '3 hours' - make_interval(mins => sh.jitter), fl.origin || '/WH1'),
                     (5, 'MAN', fl.dep - interval '2 hours' + make_interval(secs => sh.i % 600), fl.origin),
                     (6, 'DEP', fl.dep + make_interval(mins => fl.delay, secs => sh.i % 60), fl.origin),
                     (7, 'ARR', fl.arr + make_interval(mins => fl.delay + 30, secs => sh.i % 60), fl.destination),
                     (8, 'RCF', fl.arr + make_interval(mins => fl.delay + 90 + sh.jitter), fl.destination || '/WH2'),
                     (9, 'NFD', fl.arr + make_interval(mins => fl.delay + 180 + sh.jitter), fl.destination),
                     (10, 'DLV', fl.arr + make_interval(mins => fl.delay + 1200 + sh.jitter), fl.destination)) s(k, code, at, loc)
       where k <= sh.n
    ) e`,
  []);

// bag streams
await q('bag events', `
  insert into seed_plan
  select 'baggage-' || b.tag, 'baggage', e.ord, e.at, e.type, 1, e.data, e.loc
    from seed_bags b join seed_flights fl using (f),
    lateral (
      select k as ord, at, loc, type, data
        from (values (1, 'BagTagIssued', fl.dep - interval '3 hours' + make_interval(secs => b.j % 1200), fl.origin || '/CHK',
                      jsonb_build_object('passengerRef', 'PNR-' || b.j, 'flights', jsonb_build_array(fl.flight_id))),
                     (2, 'BagScanned', fl.dep - interval '2 hours 40 minutes' + make_interval(secs => b.j % 1200), fl.origin || '/CHK',
                      jsonb_build_object('point', 'Acceptance')),
                     (3, 'BagScanned', fl.dep - interval '2 hours' + make_interval(secs => b.j % 1200), fl.origin || '/BHS',
                      jsonb_build_object('point', 'Screened')),
                     (4, 'BagScanned', fl.dep - interval '50 minutes' + make_interval(secs => b.j % 900), fl.origin,
                      jsonb_build_object('point', 'Loaded', 'flight', fl.flight_id, 'uld', ${uldId(`(fl.f * 3 + 2) % ${U}`, 'fl.airline')})),
                     (5, 'BagScanned', fl.arr + make_interval(mins => fl.delay + 20, secs => b.j % 600), fl.destination,
                      jsonb_build_object('point', 'Arrival', 'flight', fl.flight_id)),
                     (6, 'BagScanned', fl.arr + make_interval(mins => fl.delay + 35, secs => b.j % 600), fl.destination || '/BELT3',
                      jsonb_build_object('point', 'Sorted')),
                     (7, case when b.j % 40 = 0 then 'BagMishandled' else 'BagScanned' end,
                      fl.arr + make_interval(mins => fl.delay + 50, secs => b.j % 600), fl.destination,
                      case when b.j % 40 = 0 then jsonb_build_object('reason', 'Delayed', 'report', fl.destination || 'LA' || lpad(b.j::text, 5, '0'))
                           else jsonb_build_object('point', 'Claimed') end)) s(k, type, at, loc, data)
       where k <= b.n
    ) e`,
  []);

// ULDs: ULD x (0..U-1) serves slot x+U*k of flights (x+U*k)/3, k = 0, 1 (days apart)
await q('uld events', `
  insert into seed_plan
  select 'uld-' || ${uldId('u.x', 'fl.airline')}, 'uld', 10 * u.k + e.ord, e.at, e.type, 1, e.data, e.loc
    from (select x, k, (x + ${U} * k) / 3 as f, (x + ${U} * k) % 3 as slot from generate_series(0, ${U - 1}) x, generate_series(0, 1) k) u
    join seed_flights fl using (f)
    left join seed_uld_lists l on l.f = u.f and l.slot = u.slot,
    lateral (
      select 1 as ord, fl.dep - interval '2 hours 10 minutes' as at, 'UldLoaded' as type, fl.origin as loc,
             jsonb_build_object('flight', fl.flight_id, 'shipments', coalesce(l.shipments, '[]'::jsonb), 'bags', coalesce(l.bags, '[]'::jsonb)) as data
      union all
      select 2, fl.arr + make_interval(mins => fl.delay + 45), 'UldUnloaded', fl.destination, jsonb_build_object('flight', fl.flight_id)
    ) e`,
  []);

// ground equipment: 15 assignments each, 200 flights apart
await q('equipment events', `
  insert into seed_plan
  select 'equipment-' || eq.tag, 'equipment', 10 * a.c + e.ord, e.at, e.type, 1, e.data, e.loc
    from (select x, (array['TUG','BLT','GPU','DOL'])[1 + x % 4] || '-' || lpad(x::text, 3, '0') as tag from generate_series(0, $1::int - 1) x) eq
    cross join generate_series(0, 14) a(c)
    join seed_flights g on g.f = (eq.x + a.c * 200) % $2::int,
    lateral (
      select 1 as ord, g.dep - interval '60 minutes' as at, 'EquipmentAssigned' as type, g.origin || '/STAND/' || (1 + g.f % 40) as loc,
             jsonb_build_object('flight', g.flight_id, 'task', (array['Pushback','Baggage belt','Ground power','Cargo dolly'])[1 + eq.x % 4]) as data
      union all
      select 2, g.dep + make_interval(mins => g.delay + 10), 'EquipmentReleased', g.origin, jsonb_build_object('flight', g.flight_id)
      union all
      select 3, g.dep + make_interval(mins => g.delay + 20), 'EquipmentFaultReported', g.origin, jsonb_build_object('fault', 'Hydraulic leak')
       where a.c = 14 and eq.x % 25 = 0
    ) e`,
  [E, F]);

// versions by time per stream, a global order by time, the cut to --events
await q('order', `
  create unlogged table seed_ordered as
  select p.*, row_number() over (order by occurred_at, stream_id, ord) as rn
    from seed_plan p where occurred_at < now() - interval '1 minute'`);
await c.query('drop table seed_plan');
await q('cut', 'delete from seed_ordered where rn > $1', [LIMIT]);
await q('versions', `
  create unlogged table seed_plan as
  select o.*, row_number() over (partition by stream_id order by occurred_at, ord) as version from seed_ordered o`);
await c.query('drop table seed_ordered');
await c.query('create index on seed_plan (rn)');
const [{ total }] = (await c.query('select count(*)::int as total from seed_plan')).rows;

for (let lo = 0; lo < total; lo += CHUNK) {
  await q(`events ${lo + 1}..${Math.min(total, lo + CHUNK)}`, `
    insert into events (tenant_id, stream_id, version, event_id, event_type, schema_version, data, metadata, location, occurred_at, recorded_at, correlation_id)
    select $1, stream_id, version, gen_random_uuid(), event_type, schema_version, data,
           jsonb_build_object('tenantId', $1::text, 'actor', 'handler-' || (rn % 97), 'source', 'seed', 'correlationId', null, 'causationId', null),
           location, occurred_at, occurred_at + make_interval(secs => 2 + (rn % 300)), gen_random_uuid()
      from seed_plan where rn > $2 and rn <= $3 order by rn`,
    [a.tenant, lo, lo + CHUNK]);
}
await q('streams', `
  insert into streams (tenant_id, stream_id, entity_type, version, created_at, updated_at)
  select $1, stream_id, min(entity_type), max(version), min(occurred_at), max(occurred_at) + interval '5 seconds'
    from seed_plan group by stream_id`,
  [a.tenant]);
const byType = Object.fromEntries((await c.query('select event_type, count(*)::int as n from seed_plan group by 1 order by 2 desc')).rows.map((r) => [r.event_type, r.n]));
const byEntity = Object.fromEntries(
  (await c.query('select entity_type, count(*)::int as events, count(distinct stream_id)::int as streams from seed_plan group by 1 order by 2 desc')).rows
    .map((r) => [r.entity_type, { events: r.events, streams: r.streams }]),
);
const span = (await c.query(`select ${iso('min(occurred_at)')} as first, ${iso('max(occurred_at)')} as last from seed_plan`)).rows[0];
await c.query('drop table seed_plan, seed_flights, seed_shipments, seed_bags, seed_uld_lists');
await q('analyze', 'analyze events, streams');
const streams = Object.values(byEntity).reduce((s, x) => s + x.streams, 0);
await c.end();
console.log(JSON.stringify({ scenario: 'seed', tenant: a.tenant, events: total, streams, byEntity, byType, occurred: span, seconds: +((performance.now() - t0) / 1000).toFixed(1) }));
