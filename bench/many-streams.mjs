#!/usr/bin/env node
// Appends one event to each of N distinct shipment streams (valid air waybills) against the
// Track & Trace API, C requests in flight, then reads every stream back to check it holds
// exactly that one event. Each stream is its own Durable Object, so this exercises the
// creation of N objects (and N first appends to Postgres) rather than steady-state appends.
//
//   TRACKTRACE_TOKEN=... node bench/many-streams.mjs --url http://127.0.0.1:8787 \
//     [--streams 5000] [--concurrency 64] [--expected any|no_stream] [--verify true|false] [--prefix 176]
//
// Prints one JSON line:
//   {scenario, streams, concurrency, ok, failed, statusCounts, elapsedS, rps, p50, p95, p99, max,
//    errorSamples?, verify: {checked, ok, failed, statusCounts, elapsedS, errorSamples?}}
//   ok/failed count appends (2xx vs anything else incl. network errors and timeouts);
//   statusCounts maps HTTP status (or "network") to a count; latencies in ms.
// Exit code 1 if any append (or read-back) failed.
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.URL ?? 'http://127.0.0.1:8787' },
    streams: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '64' },
    expected: { type: 'string', default: 'any' },
    verify: { type: 'string', default: 'true' },
    prefix: { type: 'string', default: '176' },
    timeout: { type: 'string', default: '30' },
    label: { type: 'string', default: 'tracktrace' },
  },
});
const TOKEN = process.env.TRACKTRACE_TOKEN;
if (!TOKEN) {
  console.error('many-streams: set TRACKTRACE_TOKEN (npm run --silent token -- --tenant bench --scope "tracking:read tracking:write")');
  process.exit(2);
}
const N = Number(args.streams);
const C = Number(args.concurrency);
const TIMEOUT_MS = Number(args.timeout) * 1000;
const url = args.url.replace(/\/$/, '');
const log = (...a) => console.error('[many-streams]', ...a);

// N consecutive 7-digit serials from a random start; check digit = serial mod 7.
if (!/^\d{3}$/.test(args.prefix)) throw new Error('--prefix must be 3 digits');
if (N > 8_000_000) throw new Error('--streams too large');
const base = 1_000_000 + Math.floor(Math.random() * (9_000_000 - N));
const streamId = (i) => {
  const serial = base + i;
  return `shipment-${args.prefix}-${serial}${serial % 7}`;
};
const expectedVersion = /^\d+$/.test(args.expected) ? Number(args.expected) : args.expected;

const headers = { authorization: `Bearer ${TOKEN}` };
const body = (i) =>
  JSON.stringify({
    expectedVersion,
    events: [
      {
        type: 'ShipmentStatusRecorded',
        location: 'LIM',
        data: { code: 'RCS', pieces: 1 + (i % 9), weightKg: 10 + (i % 50) },
      },
    ],
  });

const pct = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null;
const r2 = (x) => (x == null ? null : Math.round(x * 100) / 100);

// Run fn(i) for i in [0, N) with C workers; returns per-phase stats.
async function phase(name, fn) {
  const st = { ok: 0, failed: 0, statusCounts: {}, lat: [], errorSamples: [] };
  const note = (key, sample) => {
    st.statusCounts[key] = (st.statusCounts[key] ?? 0) + 1;
    if (sample !== undefined) {
      st.failed++;
      if (st.errorSamples.length < 5) st.errorSamples.push(String(sample).slice(0, 300));
    }
  };
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const progress = setInterval(() => log(`${name}: ${done}/${N}`), 5000);
  await Promise.all(
    Array.from({ length: Math.min(C, N) }, async () => {
      for (let i = next++; i < N; i = next++) {
        const t = performance.now();
        try {
          const r = await fn(i);
          if (r.ok) {
            st.ok++;
            st.lat.push(performance.now() - t);
            note(String(r.status));
          } else note(String(r.status), `${streamId(i)}: ${r.status} ${r.text}`);
        } catch (e) {
          note('network', `${streamId(i)}: ${e?.cause?.code ?? e?.name ?? ''} ${e?.message ?? e}`);
        }
        done++;
      }
    }),
  );
  clearInterval(progress);
  const elapsedS = (performance.now() - t0) / 1000;
  const sorted = Float64Array.from(st.lat).sort();
  return {
    ok: st.ok,
    failed: st.failed,
    statusCounts: st.statusCounts,
    elapsedS: r2(elapsedS),
    rps: r2(st.ok / elapsedS),
    p50: r2(pct(sorted, 50)),
    p95: r2(pct(sorted, 95)),
    p99: r2(pct(sorted, 99)),
    max: r2(sorted.length ? sorted[sorted.length - 1] : null),
    ...(st.errorSamples.length ? { errorSamples: st.errorSamples } : {}),
  };
}

log(`${N} streams shipment-${args.prefix}-${base}.. (+${N - 1}), concurrency ${C}, expectedVersion ${JSON.stringify(expectedVersion)}, against ${url}`);
const append = await phase('append', async (i) => {
  const res = await fetch(`${url}/v1/streams/${streamId(i)}/events`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: body(i),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status !== 201) return { ok: false, status: res.status, text };
  const j = JSON.parse(text);
  if (j.streamId !== streamId(i) || j.toVersion !== 1)
    return { ok: false, status: res.status, text: `unexpected body ${text}` };
  return { ok: true, status: res.status };
});

let verify;
if (args.verify !== 'false') {
  const { ok, failed, statusCounts, elapsedS, errorSamples } = await phase('verify', async (i) => {
    const res = await fetch(`${url}/v1/streams/${streamId(i)}/events`, {
      headers,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    if (res.status !== 200) return { ok: false, status: res.status, text };
    const j = JSON.parse(text);
    if (j.version !== 1 || j.events?.length !== 1 || j.events[0].version !== 1)
      return { ok: false, status: res.status, text: `version ${j.version}, ${j.events?.length} events` };
    return { ok: true, status: res.status };
  });
  verify = { checked: N, ok, failed, statusCounts, elapsedS, ...(errorSamples ? { errorSamples } : {}) };
}

console.log(
  JSON.stringify({
    scenario: `many-streams-${N}`,
    adapter: 'tracktrace',
    label: args.label,
    url,
    streams: N,
    concurrency: C,
    expected: expectedVersion,
    ...append,
    ...(verify ? { verify } : {}),
  }),
);
process.exit(append.failed || verify?.failed ? 1 : 0);
