#!/usr/bin/env node
// Rebuild throughput of one read model through the API: POST /v1/admin/projections/{name}/rebuild
// (token with scope tracking:operator), then GET /v1/admin/projections/{name} every --poll-ms until
// it is `live` again at the new generation. Throughput = lastRebuild.events / lastRebuild.seconds
// (the server's own clock: registration -> switch), cross-checked by the client's wall time.
// A stall (rebuild.events unchanged for --stall-s) is reported with its elapsed time and progress,
// and the script exits 3 without touching anything (the rebuild is left as it is).
//
//   TRACKTRACE_TOKEN=… node bench/rebuild.mjs --url http://127.0.0.1:8797 --name status
//     [--poll-ms 1000] [--timeout-s 900] [--stall-s 60] [--db postgres://…/tracktrace] [--top 12]
//
// --db: also reset pg_stat_statements before and print the top statements (by total time) after,
// and count the read model's rows. Prints one JSON line:
//   {scenario: "rebuild-<name>", total, events, seconds, eventsPerS, clientSeconds, generation,
//    progress: [[t_s, events], …] (every 10 s), windows: events/s per 10 s, stalled?, pgTop?}
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8797' },
    name: { type: 'string', default: 'status' },
    'poll-ms': { type: 'string', default: '1000' },
    'timeout-s': { type: 'string', default: '900' },
    'stall-s': { type: 'string', default: '60' },
    db: { type: 'string' },
    top: { type: 'string', default: '12' },
  },
});
const TOKEN = process.env.TRACKTRACE_TOKEN;
if (!TOKEN) throw new Error('set TRACKTRACE_TOKEN (scope tracking:operator)');
const H = { authorization: `Bearer ${TOKEN}` };
const log = (m) => console.error(`[rebuild ${a.name}] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let pg = null;
if (a.db) {
  const { default: Pg } = await import('pg');
  pg = new Pg.Client({ connectionString: a.db });
  await pg.connect();
  try {
    await pg.query('select pg_stat_statements_reset()');
  } catch (e) {
    log(`pg_stat_statements not available (${e.message})`);
  }
}

const status = async () => {
  const r = await fetch(`${a.url}/v1/admin/projections/${a.name}`, { headers: H });
  if (!r.ok) throw new Error(`GET status ${r.status}: ${(await r.text()).slice(0, 200)}`);
  return r.json();
};

const before = await status();
const t0 = performance.now();
const post = await fetch(`${a.url}/v1/admin/projections/${a.name}/rebuild`, { method: 'POST', headers: H });
const postBody = await post.text();
if (post.status !== 202) {
  console.error(`POST rebuild: ${post.status} ${postBody.slice(0, 300)}`);
  process.exit(1);
}
const generation = JSON.parse(postBody).generation;
log(`started generation ${generation} (was ${before.generation})`);

const progress = []; // [t_s, events]
let last = { events: -1, at: 0 };
let st = null;
let stalled = null;
const deadline = t0 + Number(a['timeout-s']) * 1000;
for (;;) {
  await sleep(Number(a['poll-ms']));
  const t = (performance.now() - t0) / 1000;
  try {
    st = await status();
  } catch (e) {
    log(`status failed at ${t.toFixed(1)} s: ${e.message}`);
    continue;
  }
  if (st.state === 'live' && st.generation >= generation) break;
  const ev = st.rebuild?.events ?? 0;
  if (progress.length === 0 || t - progress[progress.length - 1][0] >= 10) {
    progress.push([+t.toFixed(1), ev]);
    log(`${t.toFixed(0)} s: ${ev} / ${st.rebuild?.totalEvents} events`);
  }
  if (ev !== last.events) last = { events: ev, at: t };
  else if (t - last.at >= Number(a['stall-s'])) {
    stalled = { elapsedS: +t.toFixed(1), events: ev, totalEvents: st.rebuild?.totalEvents, sinceS: +(t - last.at).toFixed(1), lastProgressAtS: +last.at.toFixed(1) };
    log(`STALLED: no progress for ${stalled.sinceS} s at ${ev} events (elapsed ${stalled.elapsedS} s)`);
    break;
  }
  if (performance.now() > deadline) {
    stalled = { timeout: true, elapsedS: +t.toFixed(1), events: ev, totalEvents: st.rebuild?.totalEvents };
    log(`timed out after ${t.toFixed(0)} s at ${ev} events`);
    break;
  }
}
const clientSeconds = +((performance.now() - t0) / 1000).toFixed(1);
const windows = progress.slice(1).map(([t, e], i) => Math.round((e - progress[i][1]) / (t - progress[i][0])));
const lr = st?.lastRebuild;
const out = {
  scenario: `rebuild-${a.name}`,
  generation,
  total: st?.rebuild?.totalEvents ?? lr?.events ?? null,
  events: stalled ? stalled.events : lr?.events,
  seconds: stalled ? null : lr?.seconds,
  eventsPerS: stalled ? null : Math.round(lr.events / lr.seconds),
  clientSeconds,
  progress,
  windows,
  ...(stalled ? { stalled } : {}),
};
if (pg) {
  try {
    const tables = { status: 'rm_status', timeline: 'rm_timeline', manifest: 'rm_manifest', metrics: 'rm_metric_samples' };
    out.rows = Number((await pg.query(`select count(*) from ${tables[a.name]}`)).rows[0].count);
    out.appliedStreams = Number((await pg.query(`select count(*) from rm_${a.name}_applied`)).rows[0].count);
  } catch (e) {
    log(`row count failed: ${e.message}`);
  }
  try {
    const r = await pg.query(
      `select calls, round(total_exec_time::numeric, 1) as total_ms, round(mean_exec_time::numeric, 3) as mean_ms, rows,
              shared_blks_hit + shared_blks_read as blks, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query
         from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
        order by total_exec_time desc limit $1`,
      [Number(a.top)],
    );
    out.pgTop = r.rows.map((x) => ({ ...x, calls: Number(x.calls), total_ms: Number(x.total_ms), mean_ms: Number(x.mean_ms), rows: Number(x.rows), blks: Number(x.blks) }));
    out.pgTotalMs = Math.round(Number((await pg.query(
      `select sum(total_exec_time) as t from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())`)).rows[0].t));
  } catch (e) {
    log(`pg_stat_statements: ${e.message}`);
  }
  await pg.end();
}
console.log(JSON.stringify(out));
process.exit(stalled ? 3 : 0);
