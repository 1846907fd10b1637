#!/usr/bin/env node
// Markdown tables from a bench/run.sh results file:  node bench/report.mjs bench/results/<stamp>.jsonl
//   1. every load measurement (both sides), 2. ours/peer ratios per scenario (ops/s, latency, Postgres
//   CPU and WAL per committed event, against issue 8's targets), 3. many-streams, 4. with PG_STATS=1
//   the top statements of each kept attempt. Reads <stamp>.meta.json next to it when present.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/report.mjs bench/results/<stamp>.jsonl');
  process.exit(2);
}
const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const f = (x, d = 0) => (x == null || Number.isNaN(x) ? '–' : Number(x).toFixed(d));
const flags = (r) =>
  [
    r.noisy && 'noisy', r.stalled && 'stalled', r.apiReloads && `API reloaded ${r.apiReloads}x`, r.gaveUp && `gaveUp ${r.gaveUp}`,
    r.outboxLeft > 0 && `outbox not drained (${r.outboxLeft} left)`, r.checkpoints && `checkpoint x${r.checkpoints}`, r.drainMs > 1000 && `drain ${f(r.drainMs / 1000, 1)} s`,
  ].filter(Boolean).join(' ');
// Postgres cost per committed event: write scenarios only (a read scenario commits only its seed)
const isWrite = (r) => r.scenario !== 'read' && r.events > 0;
const perEvent = (r, k, d) => (isWrite(r) ? f(r[k], d) : '–');
const cpu = (r) => (r.cpu ? `${f(r.cpu.server, 2)} / ${f(r.cpu.postgres, 2)} / ${f(r.cpu.client, 2)} / ${f(r.cpu.foreign, 2)}` : '–');

const metaFile = file.replace(/\.jsonl$/, '.meta.json');
if (existsSync(metaFile)) {
  const m = JSON.parse(readFileSync(metaFile, 'utf8'));
  const s = m.postgres?.settings ?? {};
  console.log(
    `Run ${m.stamp} (commit ${m.gitCommit}): ${m.cores} cores, node ${m.node}, PostgreSQL ${m.postgres?.version} ` +
      `(fsync=${s.fsync} synchronous_commit=${s.synchronous_commit} shared_buffers=${s.shared_buffers}), ` +
      `${m.connections} connections x ${m.durationS} s (+${m.warmupS} s warm-up)${m.loadArgs ? `, load args ${m.loadArgs}` : ""}, peer: emmett ${m.emmett} pool=${m.pgPoolMaxPeer}, wrangler ${m.wrangler}\n`,
  );
}

const pgtops = rows.filter((r) => r.statements);
const loads = rows.filter((r) => !r.statements && !String(r.scenario).startsWith('many-streams'));
const side = (r) => r.label ?? r.adapter;
if (loads.length) {
  console.log('| side | scenario | ops/s | HTTP req/s | p50 ms | p95 ms | p99 ms | max ms | errors | conflicts | events | pg ms/event | WAL B/event | server ms/event | CPU server / pg / client / foreign | flags |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  for (const r of loads)
    console.log(
      `| ${side(r)} | ${r.scenario} | ${f(r.rps)} | ${f(r.httpRps)} | ${f(r.p50, 2)} | ${f(r.p95, 2)} | ${f(r.p99, 2)} | ${f(r.max, 1)} | ${r.errors} | ${r.conflicts} | ${r.events ?? '–'} | ${perEvent(r, 'pgMsPerEvent', 3)} | ${perEvent(r, 'walPerEvent')} | ${perEvent(r, 'serverMsPerEvent', 3)} | ${cpu(r)} | ${flags(r)} |`,
    );
  const errs = loads.filter((r) => r.errorSamples?.length);
  for (const r of errs) console.log(`\n${side(r)} ${r.scenario} error samples: ${JSON.stringify(r.errorSamples)}`);
  console.log();

  // ratios: ours / peer, last line of each (side, scenario)
  const last = new Map();
  for (const r of loads) last.set(`${side(r)}|${r.scenario}`, r);
  const scenarios = [...new Set(loads.map((r) => r.scenario))];
  const ratio = (a, b) => (a == null || b == null || b === 0 ? '–' : `${(a / b).toFixed(2)}`);
  console.log(
    'ours/peer: ops/s > 1 = we do more; p50/p99 < 1 = we answer faster; pg ms/event and WAL B/event < 1 = Postgres pays less per committed event ' +
      '(issue 8: pg ≤ 0.5, WAL ≤ 1 in every write scenario; ours includes the projections\' work, drained before the attempt ends).\n',
  );
  console.log('| scenario | ops/s ours / peer | ratio | p50 ms ours / peer | ratio | p99 ms ours / peer | ratio | pg ms/event ours / peer | ratio | WAL B/event ours / peer | ratio | target |');
  console.log('| --- | --- | ---: | --- | ---: | --- | ---: | --- | ---: | --- | ---: | --- |');
  for (const s of scenarios) {
    const o = last.get(`tracktrace|${s}`);
    const p = last.get(`peer-emmett|${s}`);
    if (!o || !p) continue;
    const w = isWrite(o) && isWrite(p);
    const pgR = w && o.pgMsPerEvent != null && p.pgMsPerEvent ? o.pgMsPerEvent / p.pgMsPerEvent : null;
    const walR = w && o.walPerEvent != null && p.walPerEvent ? o.walPerEvent / p.walPerEvent : null;
    const target = pgR == null || walR == null ? '–' : pgR <= 0.5 && walR <= 1 ? 'met' : `missed (${[pgR > 0.5 && 'pg', walR > 1 && 'WAL'].filter(Boolean).join(', ')})`;
    console.log(
      `| ${s} | ${f(o.rps)} / ${f(p.rps)} | ${ratio(o.rps, p.rps)} | ${f(o.p50, 2)} / ${f(p.p50, 2)} | ${ratio(o.p50, p.p50)} | ${f(o.p99, 2)} / ${f(p.p99, 2)} | ${ratio(o.p99, p.p99)} | ` +
        `${w ? `${f(o.pgMsPerEvent, 3)} / ${f(p.pgMsPerEvent, 3)}` : '–'} | ${pgR == null ? '–' : pgR.toFixed(2)} | ` +
        `${w ? `${f(o.walPerEvent)} / ${f(p.walPerEvent)}` : '–'} | ${walR == null ? '–' : walR.toFixed(2)} | ${target} |`,
    );
  }
  console.log();
}

const many = rows.filter((r) => String(r.scenario).startsWith('many-streams'));
if (many.length) {
  console.log('| side | scenario | concurrency | ok | failed | status counts | elapsed s | appends/s | p50 ms | p99 ms | max ms | read-back ok / failed | events | pg ms/event | WAL B/event | CPU server / pg / client / foreign | flags |');
  console.log('| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | --- |');
  for (const r of many)
    console.log(
      `| ${side(r)} | ${r.scenario} | ${r.concurrency} | ${r.ok} | ${r.failed} | ${Object.entries(r.statusCounts ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ')} | ${f(r.elapsedS, 1)} | ${f(r.rps)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.max, 1)} | ${r.verify ? `${r.verify.ok} / ${r.verify.failed}` : '–'} | ${r.events ?? '–'} | ${f(r.pgMsPerEvent, 3)} | ${f(r.walPerEvent)} | ${cpu(r)} | ${flags(r)} |`,
    );
  for (const r of many) {
    if (r.errorSamples) console.log(`\n${r.scenario} append error samples: ${JSON.stringify(r.errorSamples)}`);
    if (r.verify?.errorSamples) console.log(`\n${r.scenario} read-back error samples: ${JSON.stringify(r.verify.errorSamples)}`);
  }
}

if (pgtops.length) {
  const cell = (q) => String(q).replace(/\|/g, '\\|');
  console.log('\npg_stat_statements (PG_STATS=1): top statements of each kept attempt, its database only, by total time');
  for (const t of pgtops) {
    console.log(`\n${t.pgtop?.side ?? ''} ${t.pgtop?.scenario ?? t.scenario}: ${t.totalMs} ms in all statements\n`);
    console.log('| calls | total ms | mean ms | rows | query |');
    console.log('| ---: | ---: | ---: | ---: | --- |');
    for (const q of t.statements) console.log(`| ${q.calls} | ${f(q.total_ms, 1)} | ${f(q.mean_ms, 3)} | ${q.rows} | \`${cell(q.query)}\` |`);
  }
}
