#!/usr/bin/env node
// Fan-out of live subscriptions: N WebSocket subscribers on one flight, appends at a steady rate to
// shipments manifested on it (each status names the flight), and the time from each append's 201 to
// its delivery at every subscriber (projection lag included).
//
//   TOKENS_FILE=… node bench/fanout.mjs --url http://127.0.0.1:8787 --write-token … \
//     [--subscribers 1000] [--rate 100] [--duration 20] [--server-pid <npm start pid>]
//
// TOKENS_FILE: one read token per line, each with its own subject (the hub allows 10 subscriptions
// per subject). Prints one JSON line: delivered/expected, latency p50/p95/p99/max, connect time, and
// the server tree's resident memory before and after the sockets opened (per 1,000 sockets).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values: a } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8787' }, 'write-token': { type: 'string' },
    subscribers: { type: 'string', default: '1000' }, rate: { type: 'string', default: '100' },
    duration: { type: 'string', default: '20' }, 'server-pid': { type: 'string' },
  },
});
const N = Number(a.subscribers), RATE = Number(a.rate), DURATION = Number(a.duration);
const tokens = readFileSync(process.env.TOKENS_FILE, 'utf8').trim().split('\n');
const run = Math.floor(Math.random() * 9000) + 1000;
const flight = `LA${run}-${new Date().toISOString().slice(0, 10)}`;
const log = (m) => console.error(`[fanout] ${m}`);

/** Resident memory (KB) of a process tree, from /proc. */
function rssKb(pid) {
  if (!pid) return null;
  let kb = 0;
  const walk = (p) => {
    try { kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0); } catch { return; }
    let kids = '';
    try { kids = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8'); } catch {}
    for (const c of kids.trim().split(/\s+/).filter(Boolean)) walk(c);
  };
  walk(pid);
  return kb;
}

const pct = (s, q) => (s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : null);
const sent = new Map(); // "stream:version" -> time of its 201
const arrived = new Map(); // "stream:version" -> arrival times (a push may beat its 201 to this process)
let delivered = 0;

const rssBefore = rssKb(a['server-pid']);
const wsUrl = `${a.url.replace(/^http/, 'ws')}/v1/subscriptions/ws?flight=${flight}`;
const t0 = performance.now();
const sockets = await Promise.all(Array.from({ length: N }, (_, i) => new Promise((resolve, reject) => {
  const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } });
  ws.on('message', (m) => {
    const d = JSON.parse(m.toString());
    if (d.type === 'ready') return resolve(ws);
    if (d.type !== 'change') return;
    const k = `${d.streamId}:${d.version}`;
    (arrived.get(k) ?? arrived.set(k, []).get(k)).push(performance.now());
    delivered++;
  });
  ws.on('error', reject);
  ws.on('unexpected-response', (_req, res) => reject(new Error(`subscriber ${i}: HTTP ${res.statusCode}`)));
})));
const connectS = (performance.now() - t0) / 1000;
await new Promise((r) => setTimeout(r, 1000));
const rssAfter = rssKb(a['server-pid']);
log(`${N} subscribers ready in ${connectS.toFixed(1)} s; appending ${RATE}/s for ${DURATION} s to flight ${flight}`);

let appends = 0, errors = 0;
const pending = [];
const start = performance.now();
for (let k = 0; k < RATE * DURATION; k++) {
  const due = start + (k * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const serial = 1_000_000 + ((run * 7919 + k) % 8_999_999);
  const stream = `shipment-057-${serial}${serial % 7}`;
  pending.push(
    fetch(`${a.url}/v1/streams/${stream}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${a['write-token']}` },
      body: JSON.stringify({ events: [{ type: 'ShipmentStatusRecorded', location: 'LIM', data: { code: 'PRE', pieces: 1, weightKg: 10, flight } }] }),
    }).then(async (res) => {
      const body = await res.json();
      if (res.status !== 201) { errors++; return; }
      sent.set(`${stream}:${body.toVersion}`, performance.now());
      appends++;
    }, () => errors++),
  );
}
await Promise.all(pending);
const expected = appends * N;
const until = performance.now() + 15_000; // the stragglers
while (delivered < expected && performance.now() < until) await new Promise((r) => setTimeout(r, 100));
for (const ws of sockets) ws.close();

const arrivals = [];
let foreign = 0;
for (const [k, times] of arrived) {
  const at = sent.get(k);
  if (at === undefined) foreign += times.length;
  else for (const t of times) arrivals.push(t - at);
}
delivered -= foreign;
arrivals.sort((x, y) => x - y);
const r2 = (x) => (x === null ? null : +x.toFixed(1));
console.log(JSON.stringify({
  scenario: 'fanout', subscribers: N, rate: RATE, durationS: DURATION, appends, appendErrors: errors,
  expected, delivered, missing: expected - delivered, unexpected: foreign, connectS: +connectS.toFixed(1),
  p50: r2(pct(arrivals, 0.5)), p95: r2(pct(arrivals, 0.95)), p99: r2(pct(arrivals, 0.99)), max: r2(arrivals.at(-1) ?? null),
  rssBeforeMb: rssBefore && +(rssBefore / 1024).toFixed(1), rssAfterMb: rssAfter && +(rssAfter / 1024).toFixed(1),
  mbPer1000Sockets: rssBefore && rssAfter ? +(((rssAfter - rssBefore) / 1024) * (1000 / N)).toFixed(1) : null,
}));
process.exit(0);
