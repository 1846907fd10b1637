#!/usr/bin/env node
// Markdown tables from a bench/run.sh results file:  node bench/report.mjs bench/results/<stamp>.jsonl
//   1. every load measurement (both sides), 2. ours/peer ratios per scenario, 3. many-streams.
// Reads <stamp>.meta.json next to it when present (run facts).
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/report.mjs bench/results/<stamp>.jsonl');
  process.exit(2);
}
const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const f = (x, d = 0) => (x == null || Number.isNaN(x) ? '–' : Number(x).toFixed(d));
const flags = (r) => [r.noisy && 'noisy', r.stalled && 'stalled', r.apiReloads && `API reloaded ${r.apiReloads}x`, r.gaveUp && `gaveUp ${r.gaveUp}`].filter(Boolean).join(' ');
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

const loads = rows.filter((r) => !String(r.scenario).startsWith('many-streams'));
const side = (r) => r.label ?? r.adapter;
if (loads.length) {
  console.log('| side | scenario | ops/s | HTTP req/s | p50 ms | p95 ms | p99 ms | max ms | errors | conflicts | CPU server / pg / client / foreign | flags |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  for (const r of loads)
    console.log(
      `| ${side(r)} | ${r.scenario} | ${f(r.rps)} | ${f(r.httpRps)} | ${f(r.p50, 2)} | ${f(r.p95, 2)} | ${f(r.p99, 2)} | ${f(r.max, 1)} | ${r.errors} | ${r.conflicts} | ${cpu(r)} | ${flags(r)} |`,
    );
  const errs = loads.filter((r) => r.errorSamples?.length);
  for (const r of errs) console.log(`\n${side(r)} ${r.scenario} error samples: ${JSON.stringify(r.errorSamples)}`);
  console.log();

  // ratios: ours / peer, last line of each (side, scenario)
  const last = new Map();
  for (const r of loads) last.set(`${side(r)}|${r.scenario}`, r);
  const scenarios = [...new Set(loads.map((r) => r.scenario))];
  const ratio = (a, b) => (a == null || b == null || b === 0 ? '–' : `${(a / b).toFixed(2)}`);
  console.log('ours/peer: ops/s > 1 = we do more; p50/p99 < 1 = we answer faster.\n');
  console.log('| scenario | ops/s ours / peer | ratio | p50 ms ours / peer | ratio | p99 ms ours / peer | ratio |');
  console.log('| --- | --- | ---: | --- | ---: | --- | ---: |');
  for (const s of scenarios) {
    const o = last.get(`tracktrace|${s}`);
    const p = last.get(`peer-emmett|${s}`);
    if (!o || !p) continue;
    console.log(
      `| ${s} | ${f(o.rps)} / ${f(p.rps)} | ${ratio(o.rps, p.rps)} | ${f(o.p50, 2)} / ${f(p.p50, 2)} | ${ratio(o.p50, p.p50)} | ${f(o.p99, 2)} / ${f(p.p99, 2)} | ${ratio(o.p99, p.p99)} |`,
    );
  }
  console.log();
}

const many = rows.filter((r) => String(r.scenario).startsWith('many-streams'));
if (many.length) {
  console.log('| side | scenario | concurrency | ok | failed | status counts | elapsed s | appends/s | p50 ms | p99 ms | max ms | read-back ok / failed | CPU server / pg / client / foreign |');
  console.log('| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  for (const r of many)
    console.log(
      `| ${side(r)} | ${r.scenario} | ${r.concurrency} | ${r.ok} | ${r.failed} | ${Object.entries(r.statusCounts ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ')} | ${f(r.elapsedS, 1)} | ${f(r.rps)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.max, 1)} | ${r.verify ? `${r.verify.ok} / ${r.verify.failed}` : '–'} | ${cpu(r)} |`,
    );
  for (const r of many) {
    if (r.errorSamples) console.log(`\n${r.scenario} append error samples: ${JSON.stringify(r.errorSamples)}`);
    if (r.verify?.errorSamples) console.log(`\n${r.scenario} read-back error samples: ${JSON.stringify(r.verify.errorSamples)}`);
  }
}
