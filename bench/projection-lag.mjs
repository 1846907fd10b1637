#!/usr/bin/env node
// Projection lag as a client sees it: the time from the 201 of an append to the event being
// visible in the status read model (GET /v1/entities/shipment/{awb} answers version >= the
// appended version). Open loop: --rate probes per second, each one appends 1 event to one of
// --streams shipment streams of its own (air waybills with prefix --prefix, new per run), then
// polls the status route every --poll-ms (the next GET starts --poll-ms after the previous answer)
// until visible or --timeout-ms. Meant to run beside a load generator (bench/read-side.sh).
//
//   TRACKTRACE_TOKEN=… node bench/projection-lag.mjs --url http://127.0.0.1:8797 \
//     [--rate 10] [--poll-ms 20] [--duration 15] [--delay 0] [--streams 50] [--prefix 057] [--label idle]
//
// Prints one JSON line: {scenario: "lag-<label>", probes, visible, timeouts, errors, lag: {p50, p90,
//   p99, max, mean} (ms, 201 -> answer of the first GET that shows it: an upper bound),
//   lagLow: {p50, p99} (201 -> sending that GET: a lower bound; the truth lies between),
//   append: {p50, p99} (the probe's own append latency), polls: GETs per probe, getsPerS}.
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8797' },
    rate: { type: 'string', default: '10' },
    'poll-ms': { type: 'string', default: '20' },
    duration: { type: 'string', default: '15' },
    delay: { type: 'string', default: '0' },
    streams: { type: 'string', default: '50' },
    prefix: { type: 'string', default: '057' },
    'timeout-ms': { type: 'string', default: '10000' },
    label: { type: 'string', default: 'probe' },
  },
});
const TOKEN = process.env.TRACKTRACE_TOKEN;
if (!TOKEN) throw new Error('set TRACKTRACE_TOKEN');
const RATE = Number(a.rate), POLL = Number(a['poll-ms']), TIMEOUT = Number(a['timeout-ms']);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const base = randomInt(1_000_000, 8_000_000);
const awbs = Array.from({ length: Number(a.streams) }, (_, i) => {
  const serial = base + i * 13;
  return `${a.prefix}-${serial}${serial % 7}`;
});
const H = { authorization: `Bearer ${TOKEN}` };

const lags = [], lows = [], appends = [];
let probes = 0, timeouts = 0, errors = 0, polls = 0;
const errorSamples = [];
const fail = (m) => {
  errors++;
  if (errorSamples.length < 5) errorSamples.push(m);
};

async function probe(i) {
  const awb = awbs[i % awbs.length];
  const s0 = performance.now();
  let version;
  try {
    const r = await fetch(`${a.url}/v1/streams/shipment-${awb}/events`, {
      method: 'POST',
      headers: { ...H, 'content-type': 'application/json' },
      body: JSON.stringify({ expectedVersion: 'any', events: [{ type: 'ShipmentStatusRecorded', location: 'SCL', data: { code: 'FOH', pieces: 1 + (i % 9), weightKg: 10 + (i % 50) } }] }),
    });
    const text = await r.text();
    if (r.status !== 201) return fail(`append ${r.status} ${text.slice(0, 120)}`);
    version = JSON.parse(text).toVersion;
  } catch (e) {
    return fail(`append ${e.message}`);
  }
  const t201 = performance.now();
  appends.push(t201 - s0);
  for (;;) {
    const sent = performance.now();
    if (sent - t201 > TIMEOUT) {
      timeouts++;
      return;
    }
    polls++;
    try {
      const r = await fetch(`${a.url}/v1/entities/shipment/${awb}`, { headers: H });
      const text = await r.text();
      const got = performance.now();
      if (r.status === 200 && JSON.parse(text).version >= version) {
        lags.push(got - t201);
        lows.push(sent - t201);
        return;
      }
      if (r.status !== 200 && r.status !== 404) fail(`status ${r.status} ${text.slice(0, 120)}`);
    } catch (e) {
      fail(`status ${e.message}`);
    }
    await sleep(POLL);
  }
}

await sleep(Number(a.delay) * 1000);
const t0 = performance.now();
const end = t0 + Number(a.duration) * 1000;
const running = [];
for (let i = 0; performance.now() < end; i++) {
  const due = t0 + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  if (performance.now() >= end) break;
  probes++;
  running.push(probe(i));
}
await Promise.all(running);
const wallS = (performance.now() - t0) / 1000;
const pct = (xs, p) => {
  if (!xs.length) return null;
  const s = [...xs].sort((x, y) => x - y);
  return +s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)].toFixed(1);
};
const stats = (xs) => ({ p50: pct(xs, 50), p90: pct(xs, 90), p99: pct(xs, 99), max: pct(xs, 100), mean: xs.length ? +(xs.reduce((s, x) => s + x, 0) / xs.length).toFixed(1) : null });
console.log(JSON.stringify({
  scenario: `lag-${a.label}`, rate: RATE, pollMs: POLL, durationS: Number(a.duration), probes, visible: lags.length, timeouts, errors,
  lag: stats(lags), lagLow: { p50: pct(lows, 50), p99: pct(lows, 99) }, append: { p50: pct(appends, 50), p99: pct(appends, 99) },
  polls: +(polls / Math.max(1, probes)).toFixed(1), getsPerS: +(polls / wallS).toFixed(1),
  ...(errorSamples.length ? { errorSamples } : {}),
}));
