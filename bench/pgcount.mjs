#!/usr/bin/env node
// What PostgreSQL paid for one benchmark attempt (bench/run.sh): committed events, WAL bytes and the
// CPU time of the Postgres and server process trees, read just before and just after the attempt.
//
//   node bench/pgcount.mjs snap --when before|after --db URL --table events|emt_messages \
//        --postmaster PID [--server PID] [--reset-stats] > snap.json
//   node bench/pgcount.mjs drain --db URL [--timeout 30] [--out drain.json]
//   node bench/pgcount.mjs merge --before snap.json --after snap.json [--drain drain.json] < line > line
//
// snap: {events: count(*) of the table, lsn: pg_current_wal_insert_lsn(), checkpoints (count so
//   far), pgTicks, serverTicks}.
//   Ticks (1/100 s) are those of the process and all its descendants, exited ones included once
//   their parent reaped them (utime+stime+cutime+cstime), the same accounting as cpuwatch.mjs
//   but not rounded. `before` queries first and reads ticks last, `after` reads ticks first, so
//   the snapshot's own connection stays outside the measured CPU. --reset-stats (with `before`):
//   pg_stat_statements_reset() last, on the same connection, so the statistics cover the attempt.
// drain: waits (polling every 100 ms, at most --timeout s) until our API's `outbox` table is
//   empty, i.e. the projections applied every event the load committed; writes
//   {drainMs, outboxAtStart, outboxLeft} to --out (never to stdout: run inside cpuwatch.mjs, the
//   load generator's JSON line must stay the last JSON line).
// merge: adds to the attempt's JSON line events, walBytes, walPerEvent, pgCpuMs, serverCpuMs,
//   pgMsPerEvent, serverMsPerEvent (+ drainMs, outboxAtLoadEnd, outboxLeft when drained;
//   checkpoints when one or more completed during the attempt).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    when: { type: 'string', default: 'before' },
    db: { type: 'string' },
    table: { type: 'string', default: 'events' },
    postmaster: { type: 'string' },
    server: { type: 'string' },
    'reset-stats': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '30' },
    out: { type: 'string' },
    before: { type: 'string' },
    after: { type: 'string' },
    drain: { type: 'string' },
  },
});

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** Ticks of every process under (and including) each root pid. */
function treeTicks(roots) {
  const procs = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
    } catch {
      // gone meanwhile
    }
  }
  const kids = new Map();
  for (const [pid, p] of procs) {
    if (!kids.has(p.ppid)) kids.set(p.ppid, []);
    kids.get(p.ppid).push(pid);
  }
  return roots.map((root) => {
    if (!root) return null;
    let total = 0;
    const stack = [Number(root)];
    while (stack.length) {
      const pid = stack.pop();
      const p = procs.get(pid);
      if (!p) continue;
      total += p.ticks;
      stack.push(...(kids.get(pid) ?? []));
    }
    return total;
  });
}

async function query(sqls) {
  const c = new pg.Client({ connectionString: a.db });
  await c.connect();
  try {
    const tag = sqls.pop();
    const out = [];
    for (const s of sqls) out.push((await c.query(s)).rows[0]);
    // checkpoints so far (PostgreSQL 17+: pg_stat_checkpointer, before: pg_stat_bgwriter)
    out.push(
      (await c.query(`select (num_timed + num_requested)::int as n from pg_stat_checkpointer ${tag}`).catch(() => null))?.rows[0] ??
        (await c.query(`select (checkpoints_timed + checkpoints_req)::int as n from pg_stat_bgwriter ${tag}`)).rows[0],
    );
    // --reset-stats (PG_STATS=1): pg_stat_statements from here, on this connection, before the ticks
    if (a['reset-stats']) await c.query('select pg_stat_statements_reset()');
    return out;
  } finally {
    await c.end();
  }
}

const lsnBytes = (lsn) => {
  const [hi, lo] = lsn.split('/');
  return BigInt(`0x${hi}`) * 2n ** 32n + BigInt(`0x${lo}`);
};

const cmd = positionals[0];
if (cmd === 'snap') {
  if (!/^[a-z_]+$/.test(a.table)) throw new Error('bad --table');
  // the tag keeps these out of bench/pgtop.mjs's top (it skips text mentioning pg_stat_statements)
  const tag = '/* bench snapshot, not in pg_stat_statements top */';
  const sqls = [`select count(*)::bigint::text as n from ${a.table} ${tag}`, `select pg_current_wal_insert_lsn()::text as lsn ${tag}`, tag];
  let rows, ticks;
  if (a.when === 'after') {
    ticks = treeTicks([a.postmaster, a.server]);
    rows = await query(sqls);
  } else {
    rows = await query(sqls);
    ticks = treeTicks([a.postmaster, a.server]);
  }
  console.log(JSON.stringify({ events: Number(rows[0].n), lsn: rows[1].lsn, checkpoints: rows[2].n, pgTicks: ticks[0], serverTicks: ticks[1] }));
} else if (cmd === 'drain') {
  const c = new pg.Client({ connectionString: a.db });
  await c.connect();
  const t0 = performance.now();
  const deadline = t0 + Number(a.timeout) * 1000;
  const count = async () => Number((await c.query('select count(*)::int as n from outbox')).rows[0].n);
  const atStart = await count();
  let left = atStart;
  while (left > 0 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = await count();
  }
  await c.end();
  const out = { drainMs: Math.round(performance.now() - t0), outboxAtStart: atStart, outboxLeft: left };
  if (left > 0) console.error(`[pgcount] outbox still holds ${left} rows after ${a.timeout} s`);
  if (a.out) writeFileSync(a.out, JSON.stringify(out) + '\n');
  else console.error(JSON.stringify(out));
} else if (cmd === 'merge') {
  const line = JSON.parse(readFileSync(0, 'utf8'));
  const b = JSON.parse(readFileSync(a.before, 'utf8'));
  const e = JSON.parse(readFileSync(a.after, 'utf8'));
  const events = e.events - b.events;
  const walBytes = Number(lsnBytes(e.lsn) - lsnBytes(b.lsn));
  const pgCpuMs = (e.pgTicks - b.pgTicks) * TICK_MS;
  const serverCpuMs = b.serverTicks == null || e.serverTicks == null ? null : (e.serverTicks - b.serverTicks) * TICK_MS;
  const per = (x) => (x == null || events <= 0 ? null : Math.round((x / events) * 1000) / 1000);
  Object.assign(line, {
    events,
    walBytes,
    walPerEvent: events > 0 ? Math.round(walBytes / events) : null,
    pgCpuMs,
    serverCpuMs,
    pgMsPerEvent: per(pgCpuMs),
    serverMsPerEvent: per(serverCpuMs),
  });
  // a checkpoint during the attempt: pages touched after it are written whole to the WAL once more
  if (e.checkpoints > b.checkpoints) line.checkpoints = e.checkpoints - b.checkpoints;
  if (a.drain) {
    try {
      const d = JSON.parse(readFileSync(a.drain, 'utf8'));
      Object.assign(line, { drainMs: d.drainMs, outboxAtLoadEnd: d.outboxAtStart, outboxLeft: d.outboxLeft });
    } catch {
      line.drainMs = null; // the drain did not run or did not finish
    }
  }
  console.log(JSON.stringify(line));
} else {
  console.error('usage: pgcount.mjs snap|drain|merge … (see the header)');
  process.exit(2);
}
