#!/usr/bin/env node
// Helpers of bench/store-size.sh (issue 8, target 7: cost against store size). Subcommands:
//
//   DATABASE_URL=… node bench/store-size.mjs fill --from N --to M   synthetic events N..M-1 (SQL only)
//   DATABASE_URL=… node bench/store-size.mjs long-stream [--stream equipment-TUG-10K] [--events 10000]
//   DATABASE_URL=… node bench/store-size.mjs snap                    {xmax, lsn, counters…}
//   DATABASE_URL=… node bench/store-size.mjs delta --since '<snap>'  {eventsInserted, walBytes, …}
//   DATABASE_URL=… node bench/store-size.mjs depth                   index depth and relation sizes
//   DATABASE_URL=… node bench/store-size.mjs guard                   projections idle, outbox empty?
//   TRACKTRACE_TOKEN=… node bench/store-size.mjs reads --api-url URL [--stream …] [--full-n 10] [--newest-n 200]
//
// Every subcommand prints one JSON line on stdout (progress on stderr).
//
// fill: the synthetic store, in plain SQL (INSERT … SELECT over generate_series, in chunks of --chunk
// events, synchronous_commit off in this session only). Event g (0-based, global) belongs to stream
// s = (g / 10000) * 1000 + g % 1000 at version (g % 10000) / 1000 + 1: streams of 10 events whose
// events are interleaved with 999 other streams' (as live traffic interleaves them), whole blocks of
// 10,000 events at a time (sizes are multiples of 10,000). Stream s belongs to tenant `bench` with
// probability --bench-share (0.5), else to one of --tenants - 1 (49) others (`tenant-01`…); its
// entity type by s % 100: 50 shipments (air waybills, prefixes 001/075/134/230/176 with the mod-7
// check digit: never 045, which load.mjs's `many` uses), 30 bags, 8 flights, 8 ULDs, 4 equipment;
// catalog-valid payloads (FSU codes BKD…DLV with flights, R753 scans, FlightScheduled /
// FlightStatusChanged v2 / milestones, ULD loads listing three air waybills, equipment assignments),
// metadata as the API writes it (tenantId, actor, source, correlationId, causationId), occurred_at 3 s
// apart from 2024-06-01, recorded_at seconds later, random event ids and correlation ids.
// A fill that at least doubles the table drops every index of `events` and `streams` first (primary
// keys and unique constraints included) and builds them again afterwards from their own definitions
// (pg_get_indexdef, pg_get_constraintdef), which is faster than inserting through them; the end
// state is checked against the schema before the fill (indexes and
// constraints of events and streams, verbatim), then VACUUM (ANALYZE) and CHECKPOINT. No outbox rows
// are written (only the append functions write them), so the projections never see these events; a
// rebuild would (see `guard`).
import { parseArgs } from 'node:util';
import pg from 'pg';

const [cmd, ...rest] = process.argv.slice(2);
const { values: a } = parseArgs({
  args: rest,
  options: {
    url: { type: 'string', default: process.env.DATABASE_URL },
    from: { type: 'string', default: '0' },
    to: { type: 'string' },
    chunk: { type: 'string', default: '1000000' },
    'bench-share': { type: 'string', default: '0.5' },
    tenants: { type: 'string', default: '50' },
    tenant: { type: 'string', default: 'bench' },
    stream: { type: 'string', default: 'equipment-TUG-10K' },
    events: { type: 'string', default: '10000' },
    since: { type: 'string' },
    'full-n': { type: 'string', default: '10' },
    'newest-n': { type: 'string', default: '200' },
    'newest-limit': { type: 'string', default: '100' },
    'api-url': { type: 'string', default: 'http://127.0.0.1:8787' },
    size: { type: 'string' },
  },
  allowPositionals: false,
});
const log = (m) => console.error(`[store-size] ${m}`);
const out = (o) => console.log(JSON.stringify(o));
const r2 = (x) => (x == null ? null : Math.round(x * 100) / 100);
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);

async function connect() {
  if (!a.url) throw new Error('set DATABASE_URL or --url');
  const c = new pg.Client({ connectionString: a.url });
  await c.connect();
  return c;
}

// ---- fill ---------------------------------------------------------------------------------------
const W = 1000; // streams interleaved per block
const B = 10 * W; // events per block
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** SQL expressions of a synthetic stream `s` (an integer column); tenant share and count as given. */
function streamExprs(s, share, tenants) {
  const cut = Math.round(share * 1000);
  const tenant = `case when (${s}::bigint * 2654435761) % 1000 < ${cut} then 'bench'
                  else 'tenant-' || lpad((1 + (${s}::bigint * 40503) % ${tenants - 1})::text, 2, '0') end`;
  const kind = `(${s} % 100)`;
  const etype = `case when ${kind} < 50 then 'shipment' when ${kind} < 80 then 'baggage' when ${kind} < 88 then 'flight' when ${kind} < 96 then 'uld' else 'equipment' end`;
  const serial = `(1000000 + (${s} / 5) % 9000000)`;
  const awb = `(array['001','075','134','230','176'])[1 + ${s} % 5] || '-' || ${serial} || (${serial} % 7)`;
  const bag = `(array['0','1','2'])[1 + (${s} / 4000000) % 3] || (array['001','075','134','230'])[1 + ${s} % 4] || lpad(((${s} / 4) % 1000000)::text, 6, '0')`;
  // a flight this stream's events can name: another synthetic flight id of the same shape
  const flightOf = (x) => `(array['LA','AA','IB','AV','CM','UX'])[1 + (${x}) % 6] || (1 + ((${x}) / 6) % 9999) || '-' || to_char(date '2024-06-01' + ((${x}) / 6 / 9999)::int, 'YYYY-MM-DD')`;
  const flight = flightOf(s);
  // owner code: two letters from s / 270000 (unique ids up to ~180 M streams)
  const uld = `(array['AKE','PMC','AKH'])[1 + ${s} % 3] || (10000 + (${s} / 3) % 90000) || chr(76 + (${s} / 270000 / 26) % 14) || chr(65 + (${s} / 270000) % 26)`;
  const equipment = `(array['TUG','BLT','GPU','DOL'])[1 + ${s} % 4] || '-' || ${s}`;
  const entityId = `case ${etype} when 'shipment' then ${awb} when 'baggage' then ${bag} when 'flight' then ${flight} when 'uld' then ${uld} else ${equipment} end`;
  return { tenant, etype, entityId, flightOf, awbOf: (x) => `(array['001','075','134','230','176'])[1 + (${x}) % 5] || '-' || (1000000 + ((${x}) / 5) % 9000000) || ((1000000 + ((${x}) / 5) % 9000000) % 7)` };
}

function eventsSelect(lo, hi, share, tenants) {
  const e = streamExprs('x.s', share, tenants);
  const at = `(timestamptz '2024-06-01 00:00:00+00' + make_interval(secs => x.g * 3))`;
  const ap = `(array['LIM','MIA','JFK','GRU','SCL','BOG','MAD','LAX','CUZ','MEX','PTY','EZE'])`;
  const orig = `${ap}[1 + x.s % 12]`, dest = `${ap}[1 + (x.s + 5) % 12]`;
  const fl = e.flightOf('x.s + x.v * 7');
  // data and location by entity type and version (v = 1..10)
  return `
  select t.tenant, t.etype || '-' || t.eid, x.v, gen_random_uuid(), d.type, d.sv, d.data,
         jsonb_build_object('tenantId', t.tenant, 'actor', 'handler-' || (x.g % 97), 'source', 'site-' || ${orig} || '-' || (x.g % 31),
                            'correlationId', k.corr::text, 'causationId', null),
         d.loc, ${at}, ${at} + make_interval(secs => 2 + x.g % 300), k.corr
    from (select g, (g / ${B}) * ${W} + g % ${W} as s, (g % ${B}) / ${W} + 1 as v from generate_series(${lo}::int, ${hi - 1}::int) g) x,
    lateral (select ${e.tenant} as tenant, ${e.etype} as etype, ${e.entityId} as eid) t,
    lateral (select gen_random_uuid() as corr where x.g is not null) k, -- correlated: one per row
    lateral (
      select case t.etype
        when 'shipment' then 'ShipmentStatusRecorded'
        when 'baggage' then case when x.v = 1 then 'BagTagIssued' else 'BagScanned' end
        when 'flight' then case when x.v = 1 then 'FlightScheduled' when x.v <= 5 then 'FlightStatusChanged' else 'TurnaroundMilestoneRecorded' end
        when 'uld' then case when x.v % 2 = 1 then 'UldLoaded' else 'UldUnloaded' end
        else case when x.v % 2 = 1 then 'EquipmentAssigned' else 'EquipmentReleased' end end as type,
      case when t.etype = 'flight' and x.v between 2 and 5 then 2 else 1 end as sv,
      case t.etype
        when 'shipment' then jsonb_strip_nulls(jsonb_build_object(
          'code', (array['BKD','RCS','FOH','PRE','MAN','DEP','ARR','RCF','NFD','DLV'])[x.v], 'pieces', 1 + x.s % 20, 'weightKg', 5 + (x.s * 13) % 500,
          'flight', case when x.v between 5 and 7 then ${fl} end,
          'uld', case when x.v between 5 and 6 and x.s % 3 <> 0 then (array['AKE','PMC','AKH'])[1 + x.s % 3] || (10000 + (x.s / 3) % 90000) || 'LA' end))
        when 'baggage' then case when x.v = 1 then jsonb_build_object('passengerRef', 'PNR-' || x.s, 'flights', jsonb_build_array(${fl}))
          else jsonb_strip_nulls(jsonb_build_object('point', (array['Acceptance','Screened','Sorted','Loaded','TransferHandover','Loaded','Arrival','Sorted','Claimed'])[x.v - 1],
                                                    'flight', case when x.v in (5, 7, 8) then ${fl} end)) end
        when 'flight' then case
          when x.v = 1 then jsonb_build_object('flightNumber', split_part(t.eid, '-', 1), 'scheduledDeparture', to_char(${at} + interval '20 hours', ${ISO}),
                                               'scheduledArrival', to_char(${at} + interval '24 hours', ${ISO}), 'origin', ${orig}, 'destination', ${dest})
          when x.v <= 5 then jsonb_build_object('flightId', t.eid, 'oldStatus', (array['Scheduled','CheckInOpen','Boarding','Departed'])[x.v - 1],
                                                'newStatus', (array['CheckInOpen','Boarding','Departed','Arrived'])[x.v - 1], 'timestamp', to_char(${at}, ${ISO}),
                                                'reason', 'Not specified', 'updatedBy', 'ops-control', 'locationCode', ${orig}, 'delayMinutes', case when x.s % 10 = 0 then 15 + x.s % 90 else 0 end)
          else jsonb_build_object('milestone', (array['OnBlock','DoorsOpen','UnloadingStarted','UnloadingCompleted','DoorsClosed'])[x.v - 5], 'at', to_char(${at}, ${ISO})) end
        when 'uld' then case when x.v % 2 = 1
          then jsonb_build_object('flight', ${fl}, 'shipments', jsonb_build_array(${e.awbOf('x.s * 3')}, ${e.awbOf('x.s * 3 + 1')}, ${e.awbOf('x.s * 3 + 2')}), 'bags', '[]'::jsonb)
          else jsonb_build_object('flight', ${fl}) end
        else case when x.v % 2 = 1 then jsonb_build_object('flight', ${fl}, 'task', (array['Pushback','Baggage belt','Ground power','Cargo dolly'])[1 + x.s % 4])
          else jsonb_build_object('flight', ${fl}) end
      end as data,
      case t.etype when 'shipment' then ${orig} || (array['', '/WH1', '/WH1/B-' || (1 + x.s % 40), '/WH1', '', '', '', '/WH2', '', ''])[x.v]
                   when 'flight' then ${orig} || case when x.v > 5 then '/STAND/' || (1 + x.s % 40) else '' end
                   else ${orig} end as loc
    ) d`;
}

function streamsSelect(sLo, sHi, share, tenants) {
  const e = streamExprs('s', share, tenants);
  // stream s's events: g = (s / W) * B + s % W + (v - 1) * W, v = 1..10
  const g1 = `((s / ${W}) * ${B} + s % ${W})`;
  return `
  select ${e.tenant}, ${e.etype} || '-' || ${e.entityId}, ${e.etype}, 10,
         timestamptz '2024-06-01 00:00:00+00' + make_interval(secs => ${g1} * 3),
         timestamptz '2024-06-01 00:00:00+00' + make_interval(secs => (${g1} + 9 * ${W}) * 3 + 2 + (${g1} + 9 * ${W}) % 300)
    from generate_series(${sLo}::int, ${sHi - 1}::int) s`;
}

const SCHEMA_SQL = `
  select string_agg(d, E'\\n' order by d) as schema from (
    select 'index ' || indexname || ': ' || indexdef as d from pg_indexes where schemaname = current_schema() and tablename in ('events', 'streams')
    union all
    select 'constraint ' || conname || ': ' || pg_get_constraintdef(oid) from pg_constraint where conrelid in ('events'::regclass, 'streams'::regclass)
  ) x`;

async function fill() {
  const lo = Number(a.from), hi = Number(a.to), chunk = Number(a.chunk);
  const share = Number(a['bench-share']), tenants = Number(a.tenants);
  if (!(hi > lo) || lo % B || hi % B) throw new Error(`fill: --from and --to are multiples of ${B}, from < to`);
  if (chunk % B) throw new Error(`fill: --chunk is a multiple of ${B}`);
  const c = await connect();
  const t0 = performance.now();
  const phases = {};
  const timed = async (label, sql) => {
    const s = performance.now();
    const r = await c.query(sql);
    phases[label] = r2((phases[label] ?? 0) + (performance.now() - s) / 1000);
    return r;
  };
  await c.query(`set synchronous_commit = off`);
  await c.query(`set maintenance_work_mem = '1GB'`);
  await c.query(`set work_mem = '256MB'`);
  await c.query(`set max_parallel_maintenance_workers = 1`);
  const schemaBefore = (await c.query(SCHEMA_SQL)).rows[0].schema;
  const existing = Number((await c.query('select count(*)::bigint as n from events')).rows[0].n);
  const dropIndexes = hi - lo >= existing;
  // every index of events and streams as it is now: the ones behind a primary key or unique
  // constraint (dropped and added back as constraints) and the plain ones (dropped and created again
  // from pg_get_indexdef). A constraint some foreign key depends on stays (none does today).
  const indexes = (await c.query(
    `select t.relname as tab, i.relname as name, pg_get_indexdef(i.oid) as indexdef, k.conname, pg_get_constraintdef(k.oid) as condef,
            exists (select 1 from pg_constraint f where f.contype = 'f' and f.conindid = i.oid) as referenced
       from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
       left join pg_constraint k on k.conindid = i.oid and k.conrelid = t.oid and k.contype in ('p', 'u', 'x')
      where t.relname in ('events', 'streams') and t.relnamespace = current_schema()::regnamespace
      order by t.relname, i.relname`,
  )).rows.filter((x) => !x.referenced);
  if (dropIndexes) {
    log(`dropping ${indexes.map((x) => x.conname ? `${x.name} (constraint)` : x.name).join(', ')} for the fill (${existing} events present, ${hi - lo} to add)`);
    for (const x of indexes) {
      if (x.conname) await c.query(`alter table ${x.tab} drop constraint ${x.conname}`);
      else await c.query(`drop index ${x.name}`);
    }
  }
  try {
    for (let g = lo; g < hi; g += chunk) {
      const end = Math.min(hi, g + chunk);
      const s = performance.now();
      await timed('events', `insert into events (tenant_id, stream_id, version, event_id, event_type, schema_version, data, metadata, location, occurred_at, recorded_at, correlation_id)
        ${eventsSelect(g, end, share, tenants)}`);
      await timed('streams', `insert into streams (tenant_id, stream_id, entity_type, version, created_at, updated_at) ${streamsSelect((g / B) * W, (end / B) * W, share, tenants)}`);
      log(`events ${g}..${end - 1}: ${((performance.now() - s) / 1000).toFixed(1)} s (${Math.round((end - g) / ((performance.now() - s) / 1000))} events/s)`);
    }
  } finally {
    if (dropIndexes) {
      for (const x of indexes) {
        const s = performance.now();
        await timed('indexes', x.conname ? `alter table ${x.tab} add constraint ${x.conname} ${x.condef}` : x.indexdef);
        log(`${x.name}: ${((performance.now() - s) / 1000).toFixed(1)} s`);
      }
    }
  }
  // VACUUM too, not only ANALYZE: it sets the new rows' hint bits and the visibility map now, where
  // autovacuum (triggered by the inserts) would otherwise do it during the measurement, rewriting
  // every page of the table (WAL, CPU and I/O that are not the appends').
  await timed('vacuum', 'vacuum (analyze) events, streams');
  await c.query('checkpoint').catch(() => {}); // the fill's dirty pages are not the measurement's
  phases.other = r2((performance.now() - t0) / 1000 - Object.values(phases).reduce((s, x) => s + x, 0)); // checkpoint, set-up
  const schemaAfter = (await c.query(SCHEMA_SQL)).rows[0].schema;
  const [{ events, streams }] = (await c.query('select (select count(*) from events)::bigint as events, (select count(*) from streams)::bigint as streams')).rows;
  await c.end();
  if (schemaAfter !== schemaBefore) {
    console.error(`fill: the schema of events/streams changed!\nbefore:\n${schemaBefore}\nafter:\n${schemaAfter}`);
    process.exit(1);
  }
  out({ scenario: 'store-fill', from: lo, to: hi, inserted: hi - lo, streamsInserted: ((hi - lo) / B) * W, droppedIndexes: dropIndexes,
    eventsTotal: Number(events), streamsTotal: Number(streams), seconds: r2((performance.now() - t0) / 1000), phases,
    eventsPerS: Math.round((hi - lo) / (((phases.events ?? 0) + (phases.streams ?? 0)) || 1)), schemaUnchanged: true });
}

// ---- the 10,000-event stream ---------------------------------------------------------------------
async function longStream() {
  const c = await connect();
  const n = Number(a.events), stream = a.stream, tenant = a.tenant;
  const t0 = performance.now();
  const [{ exists }] = (await c.query('select count(*) > 0 as exists from streams where tenant_id = $1 and stream_id = $2', [tenant, stream])).rows;
  if (exists) {
    await c.end();
    out({ scenario: 'store-long-stream', stream, events: n, existed: true });
    return;
  }
  await c.query('set synchronous_commit = off');
  await c.query('begin');
  // a tug's life: assigned to a flight, released, 5,000 times over (catalog-valid EquipmentAssigned / EquipmentReleased)
  const flight = (v) => `(array['LA','AA','IB','AV'])[1 + (${v}) % 4] || (100 + (${v}) % 900) || '-' || to_char(date '2024-06-01' + ((${v}) / 40)::int, 'YYYY-MM-DD')`;
  await c.query(
    `insert into events (tenant_id, stream_id, version, event_id, event_type, schema_version, data, metadata, location, occurred_at, recorded_at, correlation_id)
     select $1, $2, v, gen_random_uuid(), case when v % 2 = 1 then 'EquipmentAssigned' else 'EquipmentReleased' end, 1,
            case when v % 2 = 1 then jsonb_build_object('flight', ${flight('v')}, 'task', 'Pushback') else jsonb_build_object('flight', ${flight('v - 1')}) end,
            jsonb_build_object('tenantId', $1::text, 'actor', 'ramp-' || (v % 13), 'source', 'tablet-LIM-' || (v % 7), 'correlationId', k.corr::text, 'causationId', null),
            'LIM/STAND/' || (1 + v % 40), timestamptz '2024-06-01 00:00:00+00' + make_interval(mins => v * 36),
            timestamptz '2024-06-01 00:00:05+00' + make_interval(mins => v * 36), k.corr
       from generate_series(1, $3::int) v, lateral (select gen_random_uuid() as corr where v is not null) k`,
    [tenant, stream, n],
  );
  await c.query(
    `insert into streams (tenant_id, stream_id, entity_type, version, created_at, updated_at)
     values ($1, $2, 'equipment', $3::int, timestamptz '2024-06-01 00:36:00+00', timestamptz '2024-06-01 00:00:05+00' + make_interval(mins => $3::int * 36))`,
    [tenant, stream, n],
  );
  await c.query('commit');
  await c.end();
  out({ scenario: 'store-long-stream', stream, tenant, events: n, seconds: r2((performance.now() - t0) / 1000) });
}

// ---- measurement helpers ---------------------------------------------------------------------------
/** Counters read before and after an attempt: cluster-wide WAL and checkpoints, this database's blocks and commits. */
async function counters(c) {
  const r = (await c.query(`select pg_current_wal_lsn()::text as lsn, now() as at,
      (select coalesce(sum(xact_commit), 0) from pg_stat_database where datname = current_database())::bigint as commits,
      (select coalesce(sum(blks_hit), 0) from pg_stat_database where datname = current_database())::bigint as hit,
      (select coalesce(sum(blks_read), 0) from pg_stat_database where datname = current_database())::bigint as read`)).rows[0];
  const x = { lsn: r.lsn, at: r.at, commits: Number(r.commits), blksHit: Number(r.hit), blksRead: Number(r.read) };
  try { // PostgreSQL 14+
    const w = (await c.query('select wal_records::bigint as rec, wal_fpi::bigint as fpi from pg_stat_wal')).rows[0];
    Object.assign(x, { walRecords: Number(w.rec), walFpi: Number(w.fpi) });
  } catch {}
  const av = (await c.query(`select coalesce(sum(autovacuum_count), 0)::bigint as v, coalesce(sum(autoanalyze_count), 0)::bigint as a
                                from pg_stat_user_tables where relname in ('events', 'streams')`)).rows[0];
  Object.assign(x, { autovacuums: Number(av.v), autoanalyzes: Number(av.a) });
  for (const q of ['select (num_timed + num_requested)::bigint as n from pg_stat_checkpointer', // 17+
    'select (checkpoints_timed + checkpoints_req)::bigint as n from pg_stat_bgwriter']) {
    try {
      x.checkpoints = Number((await c.query(q)).rows[0].n);
      break;
    } catch {}
  }
  return x;
}

async function snap() {
  const c = await connect();
  // every transaction that writes after this has an id >= xmax: events inserted since are counted by
  // transaction_id (indexed by events_global_order_idx), whatever indexes global_position has
  const xmax = (await c.query('select pg_snapshot_xmax(pg_current_snapshot())::text as xmax')).rows[0].xmax;
  const x = await counters(c);
  await c.end();
  out({ xmax, ...x });
}

async function delta() {
  const since = JSON.parse(a.since);
  const c = await connect();
  // pg_stat_database lags by up to a second (stats are flushed by each backend when idle)
  await new Promise((r) => setTimeout(r, 1100));
  const r = (await c.query(
    `select (select count(*) from events where transaction_id >= $1::xid8)::bigint as inserted,
            pg_wal_lsn_diff(pg_current_wal_lsn(), $2::pg_lsn)::bigint as wal, (select count(*) from outbox)::bigint as outbox`,
    [since.xmax, since.lsn],
  )).rows[0];
  const x = await counters(c);
  await c.end();
  const d = (k) => (x[k] != null && since[k] != null ? x[k] - since[k] : null);
  out({
    eventsInserted: Number(r.inserted), walBytes: Number(r.wal), walRecords: d('walRecords'), walFpi: d('walFpi'), checkpoints: d('checkpoints'),
    autovacuums: d('autovacuums'), autoanalyzes: d('autoanalyzes'),
    commits: d('commits'), blksHit: d('blksHit'), blksRead: d('blksRead'), outboxRows: Number(r.outbox),
  });
}

async function depth() {
  const c = await connect();
  const rel = (await c.query(
    `select c.relname as name, c.relkind as kind, pg_relation_size(c.oid)::bigint as bytes, c.reltuples::bigint as tuples
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and (c.relname in ('events', 'streams')
         or c.oid in (select indexrelid from pg_index where indrelid in ('events'::regclass, 'streams'::regclass)))
      order by c.relkind desc, c.relname`,
  )).rows;
  let levels = {};
  let pageinspect = false;
  try {
    const had = (await c.query(`select count(*) > 0 as had from pg_extension where extname = 'pageinspect'`)).rows[0].had;
    if (!had) await c.query('create extension pageinspect');
    try {
      for (const x of rel.filter((r) => r.kind === 'i')) {
        const m = (await c.query('select level, root from bt_metap($1)', [x.name])).rows[0];
        levels[x.name] = { depth: Number(m.level) + 1, rootBlock: Number(m.root) }; // depth = pages read from root to a leaf
      }
      pageinspect = true;
    } finally {
      if (!had) await c.query('drop extension pageinspect');
    }
  } catch (e) {
    log(`pageinspect not available (${e.message}); sizes only`);
    levels = {};
  }
  const total = (await c.query(`select pg_database_size(current_database())::bigint as db, pg_total_relation_size('events')::bigint as ev, pg_total_relation_size('streams')::bigint as st`)).rows[0];
  await c.end();
  const indexes = Object.fromEntries(rel.filter((r) => r.kind === 'i').map((r) => [r.name, { bytes: Number(r.bytes), mb: r2(Number(r.bytes) / 2 ** 20), tuples: Number(r.tuples), ...(levels[r.name] ?? {}) }]));
  const tables = Object.fromEntries(rel.filter((r) => r.kind !== 'i').map((r) => [r.name, { bytes: Number(r.bytes), mb: r2(Number(r.bytes) / 2 ** 20), tuples: Number(r.tuples) }]));
  out({ scenario: 'store-index', pageinspect, indexes, tables, eventsTotalMb: r2(Number(total.ev) / 2 ** 20), streamsTotalMb: r2(Number(total.st) / 2 ** 20), databaseMb: r2(Number(total.db) / 2 ** 20) });
}

async function guard() {
  // what could make the projections read the synthetic events: a rebuild in progress (it reads the
  // global log from its checkpoint) or outbox rows naming synthetic streams. Neither is created by
  // the fill; this says so, and the shell refuses to measure otherwise.
  const c = await connect();
  const p = (await c.query('select name, generation, rebuild_generation from projections order by name')).rows;
  const [{ outbox }] = (await c.query('select count(*)::int as outbox from outbox')).rows;
  await c.end();
  const rebuilding = p.filter((x) => x.rebuild_generation !== null).map((x) => x.name);
  out({ scenario: 'store-guard', projections: p.map((x) => x.name), rebuilding, outbox, ok: rebuilding.length === 0 });
  if (rebuilding.length) process.exit(1);
}

// ---- reads of the long stream over HTTP ------------------------------------------------------------
async function reads() {
  const TOKEN = process.env.TRACKTRACE_TOKEN;
  if (!TOKEN) throw new Error('reads: set TRACKTRACE_TOKEN');
  const base = a['api-url'];
  const headers = { authorization: `Bearer ${TOKEN}` };
  const get = async (path) => {
    const t = performance.now();
    const res = await fetch(base + path, { headers });
    const text = await res.text();
    const ms = performance.now() - t;
    if (res.status !== 200) throw new Error(`GET ${path} -> ${res.status} ${text.slice(0, 200)}`);
    return { ms, body: JSON.parse(text), bytes: text.length };
  };
  const stream = a.stream;
  const first = await get(`/v1/streams/${stream}/events?limit=1&direction=backward`);
  const version = first.body.version;
  // The stream's object keeps pages it read (key: direction, fromVersion, limit) until the stream moves.
  // "Uncached" reads use a key never asked before (full reads: limit 1000 - i; the newest page:
  // fromVersion = version + i, which answers the same newest page), so every page comes from Postgres.
  const newestN = Number(a['newest-n']), newestLimit = Number(a['newest-limit']);
  const newest = [], cached = [];
  // first, while the object's page cache (2 MiB) is empty: the same newest page again and again (the
  // object keeps it after the first read: what a client polling the head of a long stream gets)
  for (let i = 0; i < newestN + 5; i++) {
    const r = await get(`/v1/streams/${stream}/events?direction=backward&limit=${newestLimit}`);
    if (i >= 5) cached.push(r.ms);
  }
  const fullN = Number(a['full-n']);
  const full = [], pages = [];
  let events = 0, bytes = 0;
  for (let i = 0; i < fullN + 1; i++) { // the first pass warms the connection and is not counted
    const limit = 1000 - i;
    let path = `/v1/streams/${stream}/events?limit=${limit}`;
    const t = performance.now();
    let n = 0;
    while (path) {
      const r = await get(path);
      n += r.body.events.length;
      if (i) {
        pages.push(r.ms);
        bytes += r.bytes;
      }
      path = r.body.next;
    }
    if (n !== version) throw new Error(`full read: ${n} events, the stream has ${version}`);
    if (i) {
      full.push(performance.now() - t);
      events += n;
    }
  }
  for (let i = 0; i < newestN + 5; i++) {
    const r = await get(`/v1/streams/${stream}/events?direction=backward&limit=${newestLimit}&fromVersion=${version + 1 + i}`);
    if (r.body.events.length !== Math.min(newestLimit, version) || r.body.events[0].version !== version) throw new Error('newest page: unexpected events');
    if (i >= 5) newest.push(r.ms);
  }
  const stats = (xs) => {
    const s = Float64Array.from(xs).sort();
    return { n: s.length, p50: r2(pct(s, 50)), p99: r2(pct(s, 99)), max: r2(s[s.length - 1]), mean: r2(s.reduce((x, y) => x + y, 0) / s.length) };
  };
  const fullStats = stats(full);
  const newestStats = stats(newest);
  out({
    scenario: 'store-reads', stream, version,
    full: { ...fullStats, eventsPerS: Math.round(events / (full.reduce((x, y) => x + y, 0) / 1000)), pagesPerRead: Math.round(pages.length / full.length),
      page: stats(pages), mbPerRead: r2(bytes / full.length / 2 ** 20) },
    newest: { ...newestStats, limit: newestLimit, eventsPerS: Math.round((newestLimit * newest.length) / (newest.reduce((x, y) => x + y, 0) / 1000)) },
    newestCached: { ...stats(cached), limit: newestLimit },
  });
}

const commands = { fill, 'long-stream': longStream, snap, delta, depth, guard, reads };
if (!commands[cmd]) {
  console.error(`usage: node bench/store-size.mjs ${Object.keys(commands).join('|')} [options]`);
  process.exit(2);
}
await commands[cmd]();
