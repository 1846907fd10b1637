#!/usr/bin/env node
// CPU profile of the Worker (and its Durable Objects) under load, through wrangler dev's inspector.
//
//   INSPECTOR_PORT=9229 npm start            # in one terminal
//   node bench/profile.mjs --seconds 10 [--port 9229] [--top 40]   # while load runs
//
// Prints the functions with the most self time (sampled), grouped by function and source file.
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values } = parseArgs({ options: { port: { type: 'string', default: '9229' }, seconds: { type: 'string', default: '10' }, top: { type: 'string', default: '40' } } });
const targets = await (await fetch(`http://127.0.0.1:${values.port}/json`)).json();
console.error('targets:', targets.map((t) => t.title ?? t.id).join(', '));

async function profile(target) {
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  let id = 0;
  const pending = new Map();
  ws.on('message', (m) => { const d = JSON.parse(m); if (d.id && pending.has(d.id)) { pending.get(d.id)(d); pending.delete(d.id); } });
  const call = (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 200 });
  await call('Profiler.start');
  await new Promise((r) => setTimeout(r, Number(values.seconds) * 1000));
  const { result } = await call('Profiler.stop');
  ws.close();
  return result.profile;
}

for (const t of targets) {
  const p = await profile(t);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  p.samples.forEach((s, i) => self.set(s, (self.get(s) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const agg = new Map();
  for (const [nodeId, us] of self) {
    const f = byId.get(nodeId).callFrame;
    const key = `${f.functionName || '(anonymous)'}  ${(f.url || '').split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    agg.set(key, (agg.get(key) ?? 0) + us);
  }
  const idle = [...agg].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
  console.log(`\n== ${t.title ?? t.id}: ${(total / 1e6).toFixed(2)} s sampled, busy ${(((total - idle) / total) * 100).toFixed(0)} %`);
  for (const [k, us] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
  }
}
