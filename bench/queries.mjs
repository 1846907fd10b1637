#!/usr/bin/env node
// Query latency of the read side at the database and over HTTP, with the read models built
// (run it after bench/seed-million.mjs and the rebuilds of status, timeline and manifest).
//
//   DATABASE_URL=postgres://…/tracktrace TRACKTRACE_TOKEN=… PARTNER_TOKEN=… \
//     node bench/queries.mjs [--url http://127.0.0.1:8797] [--tenant bench] [--n 400] [--http-n 200]
//       [--explain-out bench/results/<stamp>.explain.txt] [--classes a,b,…]
//
// SQL: the statements the routes run, copied from src/projections/status/routes.ts (entity get and
// search: the same WHERE builder, COLUMNS and visibility clause), manifest/routes.ts (both
// statements of a manifest) and timeline/routes.ts, sent with `pg` as the routes send them
// (parameters, unnamed statements, so each call is planned with its values). Each class runs
// --n times over varied parameters taken from the data (common, rare and empty combinations),
// after one untimed warm-up pass. Latency = client round trip over loopback (parse + plan +
// execute + transfer): an upper bound of the time at the database. pg_stat_statements (when
// loaded) adds the server's mean/max execution time per class. EXPLAIN (ANALYZE, BUFFERS) of the
// slowest parameter set of each class goes to --explain-out, with a note of every Seq Scan and
// every node that removed more than 1,000 rows by filter.
// HTTP: the same classes as GETs (one at a time, keep-alive), --http-n each; partner classes use
// PARTNER_TOKEN (a token with a carriers claim) when it is set.
// Prints one JSON line per class and side: {scenario: "sql-<class>" | "http-<class>", n, p50, p95,
//   p99, max, mean (ms), rows (mean rows returned), pgMeanMs?, pgMaxMs?, scans?}
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: a } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8797' },
    db: { type: 'string', default: process.env.DATABASE_URL },
    tenant: { type: 'string', default: 'bench' },
    n: { type: 'string', default: '400' },
    'http-n': { type: 'string', default: '200' },
    'explain-out': { type: 'string' },
    classes: { type: 'string' },
  },
});
const log = (m) => console.error(`[queries] ${m}`);
const db = new pg.Client({ connectionString: a.db });
await db.connect();
const T = a.tenant;

// ---- copied from src/projections/cursor.ts, visibility.ts and status/routes.ts -------------------
const isoMicros = (col) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const isoMillis = (col) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const visibleSql = (n) =>
  `($${n}::text[] is null or s.carriers && $${n}::text[] or (s.entity_type, s.entity_id) in (select m.item_type, m.item_id
      from rm_manifest m where m.tenant_id = $1 and m.carrier = any($${n}::text[])))`;
const COLUMNS = `s.entity_type, s.entity_id, s.stream_id, s.status, s.location, s.airport, s.flight, s.uld, s.pieces, s.weight_kg, s.carriers,
  s.details, s.last_event_type, ${isoMillis('s.last_event_at')} as last_event_at, ${isoMillis('s.updated_at')} as updated_at, s.version,
  ${isoMicros('s.updated_at')} as cursor_at`;
/** GET /v1/entities: the route's WHERE builder. q: {type, status[], statusNot[], location, flight, updatedSince, after: [at, streamId], limit} */
function searchSql(q, carriers = null) {
  const params = [T, carriers];
  const where = ['s.tenant_id = $1', visibleSql(2)];
  const add = (sql, value) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (q.type) add((n) => `s.entity_type = ${n}`, q.type);
  if (q.status) add((n) => `s.status = any(${n}::text[])`, q.status);
  if (q.statusNot) add((n) => `s.status <> all(${n}::text[])`, q.statusNot);
  if (q.location?.length === 3) add((n) => `s.airport = ${n}`, q.location);
  else if (q.location) add((n) => `s.location like ${n} || '%' and (s.location = ${n} or s.location like ${n} || '/%')`, q.location);
  if (q.flight) add((n) => `s.flight = ${n}`, q.flight);
  if (q.updatedSince) add((n) => `s.updated_at >= ${n}::timestamptz`, q.updatedSince);
  if (q.after) {
    params.push(q.after[0], q.after[1]);
    where.push(`(s.updated_at, s.stream_id) < ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push((q.limit ?? 50) + 1);
  return [{ text: `select ${COLUMNS} from rm_status s where ${where.join(' and ')} order by s.updated_at desc, s.stream_id desc limit $${params.length}`, values: params }];
}
const entitySql = (streamId, carriers = null) => [
  { text: `select ${COLUMNS} from rm_status s where s.tenant_id = $1 and s.stream_id = $2 and ${visibleSql(3)}`, values: [T, streamId, carriers] },
];
// manifest/routes.ts: both statements of one request
const manifestSql = (flightId) => [
  {
    text: `select m.item_type, m.item_id, m.uld_id, m.linked_by, s.status, s.pieces, s.weight_kg, s.location
         from rm_manifest m left join rm_status s on s.tenant_id = m.tenant_id and s.stream_id = m.item_type || '-' || m.item_id
        where m.tenant_id = $1 and m.flight_id = $2 order by m.item_type, m.item_id`,
    values: [T, flightId],
  },
  { text: 'select status, details from rm_status where tenant_id = $1 and stream_id = $2', values: [T, `flight-${flightId}`] },
];
// timeline/routes.ts (staff: isVisible answers without SQL)
const timelineSql = (streamId) => [
  {
    text: `select t.version, t.position, t.event_type, ${isoMillis('t.occurred_at')} as occurred_at, ${isoMillis('t.recorded_at')} as recorded_at,
              t.local_time, t.location, t.actor, t.source, t.description, ${isoMicros('t.occurred_at')} as cursor_at
         from rm_timeline t
        where t.tenant_id = $1 and t.stream_id = $2 and ($3::timestamptz is null or (t.occurred_at, t.version) > ($3::timestamptz, $4::bigint))
        order by t.occurred_at, t.version limit $5`,
    values: [T, streamId, null, 0, 101],
  },
];
// -------------------------------------------------------------------------------------------------

// parameters from the data
const rows = async (sql, p = []) => (await db.query(sql, p)).rows;
const combos = await rows(
  `select entity_type, status, airport, count(*)::int as n from rm_status where tenant_id = $1 and status is not null and airport is not null
    group by 1, 2, 3 order by n desc`, [T]);
if (!combos.length) throw new Error('rm_status is empty: rebuild the read models first');
const pickSpread = (xs, k) => Array.from({ length: Math.min(k, xs.length) }, (_, i) => xs[Math.floor((i * (xs.length - 1)) / Math.max(1, k - 1))]);
const typeStatusLoc = pickSpread(combos, 24).map((c) => ({ type: c.entity_type, status: [c.status], location: c.airport }));
typeStatusLoc.push({ type: 'shipment', status: ['DLV'], location: 'CUZ' }, { type: 'flight', status: ['Diverted'], location: 'LIM' }); // rare / empty
const statusesOf = (t) => [...new Set(combos.filter((c) => c.entity_type === t).map((c) => c.status))];
const airports = [...new Set(combos.map((c) => c.airport))];
const multi = [];
for (const t of ['shipment', 'baggage', 'flight', 'uld']) {
  const st = statusesOf(t);
  for (let i = 0; i + 1 < st.length && multi.length < 24; i += 2) multi.push({ type: t, status: [st[i], st[i + 1]], location: airports[multi.length % airports.length] });
}
const subLocs = (await rows(
  `select entity_type, status, location, count(*)::int n from rm_status where tenant_id = $1 and location like '%/%' and status is not null group by 1, 2, 3 order by n desc`, [T]));
const subLoc = pickSpread(subLocs, 16).map((c) => ({ type: c.entity_type, status: [c.status], location: c.location.split('/').slice(0, 2).join('/') }));
const [{ maxu }] = await rows(`select ${isoMillis('max(updated_at)')} as maxu from rm_status where tenant_id = $1`, [T]);
const since = (mins) => new Date(Date.parse(maxu) - mins * 60_000).toISOString();
const updated = [5, 60, 360, 1440, 4320, 10080].map((m) => ({ updatedSince: since(m) }));
const typeUpdated = ['shipment', 'baggage', 'flight', 'uld', 'equipment'].flatMap((t) => [60, 1440, 10080].map((m) => ({ type: t, updatedSince: since(m) })));
const flights = (await rows(
  `select flight_id, count(*)::int n from rm_manifest where tenant_id = $1 group by 1 order by n desc`, [T]));
const flightIds = [...pickSpread(flights, 40).map((f) => f.flight_id), 'LA9999-2026-01-01'];
const streamSample = (await rows(`select stream_id from rm_status where tenant_id = $1 order by md5(stream_id) limit 200`, [T])).map((r) => r.stream_id);
const timelineSample = streamSample.filter((s) => !s.startsWith('flight-')).slice(0, 60).concat(
  (await rows(`select stream_id from rm_status where tenant_id = $1 and (entity_type = 'flight' or entity_type = 'equipment') order by md5(stream_id) limit 20`, [T])).map((r) => r.stream_id));
// page 2 of type+status+location: the cursor of the first page's last row
const page2 = [];
for (const q of typeStatusLoc.slice(0, 16)) {
  const [st] = searchSql(q);
  const r = (await db.query(st)).rows;
  if (r.length > 50) page2.push({ ...q, after: [r[49].cursor_at, r[49].stream_id] });
}

const qs = (q) => {
  const p = new URLSearchParams();
  if (q.type) p.set('type', q.type);
  if (q.status) p.set('status', q.status.join(','));
  if (q.location) p.set('location', q.location);
  if (q.updatedSince) p.set('updatedSince', q.updatedSince);
  if (q.after) p.set('cursor', Buffer.from(JSON.stringify(q.after)).toString('base64url'));
  return `/v1/entities?${p}`;
};
const entityPath = (s) => `/v1/entities/${s.slice(0, s.indexOf('-'))}/${s.slice(s.indexOf('-') + 1)}`;
const CLASSES = {
  'search-type-status-location': { sets: typeStatusLoc, sql: (q) => searchSql(q), path: qs },
  'search-type-2status-location': { sets: multi, sql: (q) => searchSql(q), path: qs },
  'search-type-status-sublocation': { sets: subLoc, sql: (q) => searchSql(q), path: qs },
  'search-page2': { sets: page2, sql: (q) => searchSql(q), path: qs },
  'search-updatedSince': { sets: updated, sql: (q) => searchSql(q), path: qs },
  'search-type-updatedSince': { sets: typeUpdated, sql: (q) => searchSql(q), path: qs },
  'search-partner-LA': { sets: typeStatusLoc, sql: (q) => searchSql(q, ['LA']), path: qs, partner: true },
  manifest: { sets: flightIds, sql: manifestSql, path: (f) => `/v1/flights/${f}/manifest` },
  'entity-get': { sets: streamSample, sql: (s) => entitySql(s), path: entityPath },
  timeline: { sets: timelineSample, sql: timelineSql, path: (s) => `${entityPath(s)}/timeline` },
};
const only = a.classes ? new Set(a.classes.split(',')) : null;

const pct = (xs, p) => {
  const s = [...xs].sort((x, y) => x - y);
  return +s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)].toFixed(2);
};
const summary = (xs) => ({ n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), max: pct(xs, 100), mean: +(xs.reduce((s, x) => s + x, 0) / xs.length).toFixed(2) });
let haveStats = true;
try {
  await db.query('select pg_stat_statements_reset()');
} catch {
  haveStats = false;
}
const explains = [];
const N = Number(a.n), HN = Number(a['http-n']);
for (const [name, c] of Object.entries(CLASSES)) {
  if (only && !only.has(name)) continue;
  if (!c.sets.length) {
    log(`${name}: no parameter sets in the data; skipped`);
    continue;
  }
  for (const s of c.sets) for (const st of c.sql(s)) await db.query(st); // warm-up
  if (haveStats) await db.query('select pg_stat_statements_reset()');
  const times = [], slowest = new Map();
  let nrows = 0;
  for (let i = 0; i < N; i++) {
    const set = c.sets[i % c.sets.length];
    const t = performance.now();
    for (const st of c.sql(set)) nrows += (await db.query(st)).rowCount;
    const ms = performance.now() - t;
    times.push(ms);
    const k = i % c.sets.length;
    slowest.set(k, Math.max(slowest.get(k) ?? 0, ms));
  }
  const out = { scenario: `sql-${name}`, sets: c.sets.length, ...summary(times), rows: +(nrows / N).toFixed(1) };
  if (haveStats) {
    const [s] = await rows(
      `select sum(calls)::int calls, sum(total_exec_time) / sum(calls) as mean, max(max_exec_time) as max
         from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
          and query not like '%pg_stat_statements%'`);
    out.pgMeanMs = +Number(s.mean).toFixed(3);
    out.pgMaxMs = +Number(s.max).toFixed(3);
  }
  // EXPLAIN of the slowest parameter set
  const worst = [...slowest.entries()].sort((x, y) => y[1] - x[1])[0][0];
  const scans = [];
  for (const st of c.sql(c.sets[worst])) {
    const plan = (await db.query({ text: `explain (analyze, buffers) ${st.text}`, values: st.values })).rows.map((r) => r['QUERY PLAN']).join('\n');
    for (const m of plan.matchAll(/Seq Scan on (\w+)/g)) scans.push(`Seq Scan on ${m[1]}`);
    for (const m of plan.matchAll(/Rows Removed by Filter: (\d+)/g)) if (Number(m[1]) > 1000) scans.push(`${m[1]} rows removed by filter`);
    explains.push(`### ${name} (slowest set: ${JSON.stringify(c.sets[worst])})\n${st.text.replace(/\s+/g, ' ')}\n-- params ${JSON.stringify(st.values)}\n${plan}\n`);
  }
  if (scans.length) out.scans = scans;
  console.log(JSON.stringify(out));
}
if (a['explain-out']) writeFileSync(a['explain-out'], explains.join('\n'));

// HTTP: the same classes through the API, one request at a time
const TOKEN = process.env.TRACKTRACE_TOKEN, PARTNER = process.env.PARTNER_TOKEN;
if (TOKEN && HN > 0) {
  for (const [name, c] of Object.entries(CLASSES)) {
    if ((only && !only.has(name)) || !c.sets.length) continue;
    if (c.partner && !PARTNER) continue;
    const H = { authorization: `Bearer ${c.partner ? PARTNER : TOKEN}` };
    const statuses = {};
    const get = async (set) => {
      const r = await fetch(a.url + c.path(set), { headers: H });
      await r.arrayBuffer();
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    };
    for (const s of c.sets) await get(s); // warm-up
    for (const k of Object.keys(statuses)) delete statuses[k];
    const times = [];
    for (let i = 0; i < HN; i++) {
      const t = performance.now();
      await get(c.sets[i % c.sets.length]);
      times.push(performance.now() - t);
    }
    console.log(JSON.stringify({ scenario: `http-${name}`, ...summary(times), statuses }));
  }
}
await db.end();
