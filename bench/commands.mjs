#!/usr/bin/env node
// Closed-loop load of domain commands (decide against state), for bench/run.sh; the command
// counterpart of the peer benchmark's load.mjs (same JSON fields, same measuring window).
//
//   TRACKTRACE_TOKEN=… node bench/commands.mjs --adapter tracktrace --url http://127.0.0.1:8787 \
//     --scenario commands-one|commands-many [--duration 10] [--warmup 1] [--connections 16] \
//     [--shipments 10000] [--max-retries 100] [--prefix 057] [--command-id] [--label TEXT]
//   node bench/commands.mjs --adapter emmett --url http://127.0.0.1:3002 …   (bench/peer-commands.mjs)
//
// The command: RecordShipmentStatus (IATA FSU status of an air waybill), decided against the
// shipment's state by the server. The first command a run sends to a shipment is RCS (received
// from shipper; it creates the shipment: there is no separate create command, a shipment's stream
// starts with its first status), every later one FOH (freight on hand), both at LIM. Neither can be
// refused: the only rules (DLV needs an earlier RCS/RCF there and enough pieces; after DLV only DIS)
// concern DLV, which is never sent.
//   commands-one   --connections writers, each sending commands to ONE shipment.
//   commands-many  each command goes to a random one of --shipments (10,000) shipments, created lazily
//                  by their first command (as load.mjs's `many` touches its streams), so with a
//                  few thousand commands per run most go to a shipment seen for the first time.
// Shipments are fresh per run: airline prefix --prefix (057), serials from a random start.
//
// Answers: 201 = done. 409 because of concurrency (ours: wrong_expected_version or
// concurrent_change; the peer: {error:"conflict"}, Emmett's retries ran out) = `conflicts`, and the
// command is sent again (up to --max-retries, then `gaveUp`); the latency of an operation runs from
// its first attempt to the 201. A 409 for a domain rule, any other status or a network error =
// `errors` (samples kept).
// Output: one JSON line {scenario, adapter, label, url, connections, durationS, ops, rps, httpRps,
// p50, p95, p99, max, mean, errors, conflicts, retries, gaveUp?, errorSamples?, shipments, created}.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client } from 'undici';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8787' },
    adapter: { type: 'string', default: 'tracktrace' },
    scenario: { type: 'string', default: 'commands-one' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '16' },
    shipments: { type: 'string', default: '10000' },
    'max-retries': { type: 'string', default: '100' },
    prefix: { type: 'string', default: '057' },
    'command-id': { type: 'boolean', default: false },
    label: { type: 'string', default: '' },
  },
});

const problemCode = (text) => {
  try {
    return JSON.parse(text).code ?? JSON.parse(text).error;
  } catch {
    return undefined;
  }
};

// How to send RecordShipmentStatus to one API and read its answer.
const adapters = {
  // our API: POST /v1/shipments/{awb}/statuses (src/streams/commands.ts), bearer token
  tracktrace: {
    req: (awb, body) => ({
      method: 'POST',
      path: `/v1/shipments/${awb}/statuses`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.TRACKTRACE_TOKEN}` },
      body: JSON.stringify(body),
    }),
    res: (status, text) =>
      status === 201
        ? { ok: true }
        : status === 409 && ['wrong_expected_version', 'concurrent_change'].includes(problemCode(text))
          ? { conflict: true }
          : { error: true },
  },
  // bench/peer-commands.mjs: Emmett's CommandHandler behind node:http
  emmett: {
    req: (awb, body) => ({
      method: 'POST',
      path: `/shipments/${awb}/statuses`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
    res: (status, text) =>
      status === 201 ? { ok: true } : status === 409 && problemCode(text) === 'conflict' ? { conflict: true } : { error: true },
  },
};
const A = adapters[args.adapter];
if (!A) throw new Error(`unknown adapter ${args.adapter}; have ${Object.keys(adapters)}`);
if (args.adapter === 'tracktrace' && !process.env.TRACKTRACE_TOKEN) throw new Error('set TRACKTRACE_TOKEN');
if (!['commands-one', 'commands-many'].includes(args.scenario)) throw new Error(`unknown scenario ${args.scenario}`);
if (!/^\d{3}$/.test(args.prefix)) throw new Error('--prefix is 3 digits');

const DURATION_MS = Number(args.duration) * 1000;
const WARMUP_MS = Number(args.warmup) * 1000;
const CONNECTIONS = Number(args.connections);
const SHIPMENTS = args.scenario === 'commands-one' ? 1 : Number(args.shipments);
const MAX_RETRIES = Number(args['max-retries']);
const log = (...m) => console.error('[commands]', ...m);

// air waybills: prefix + 7-digit serial + check digit (serial mod 7); a fresh random range per run
const base = 1_000_000 + Math.floor(Math.random() * (9_000_000 - SHIPMENTS));
const awb = (i) => {
  const serial = base + i;
  return `${args.prefix}-${serial}${serial % 7}`;
};
const created = new Set(); // shipments this run has sent a command to
let seq = 0;
const command = (i) => {
  const first = !created.has(i);
  created.add(i);
  const n = seq++;
  return {
    code: first ? 'RCS' : 'FOH',
    pieces: 1 + (n % 9),
    weightKg: 10 + (n % 50),
    location: 'LIM',
    ...(args['command-id'] ? { commandId: randomUUID() } : {}),
  };
};

const clients = Array.from({ length: CONNECTIONS }, () => new Client(args.url, { keepAliveTimeout: 60_000, pipelining: 1 }));
const send = async (client, req) => {
  const res = await client.request(req);
  return { status: res.statusCode, text: await res.body.text() };
};

const newStats = () => ({ lat: [], ok: 0, http: 0, errors: 0, conflicts: 0, retries: 0, gaveUp: 0, errorSamples: [] });
const noteError = (st, what) => {
  st.errors++;
  if (st.errorSamples.length < 3) st.errorSamples.push(String(what).slice(0, 200));
};
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);
const r2 = (x) => (x == null ? null : Math.round(x * 100) / 100);

// one operation: a command, re-sent on a concurrency 409 (same body: it was not applied)
const operation = async (client, S) => {
  const i = Math.floor(Math.random() * SHIPMENTS);
  const body = command(i);
  const t = performance.now();
  for (let attempt = 0; ; attempt++) {
    if (attempt > MAX_RETRIES) {
      S().gaveUp++;
      return;
    }
    try {
      const { status, text } = await send(client, A.req(awb(i), body));
      const st = S();
      st.http++;
      const r = A.res(status, text);
      if (r.ok) {
        st.ok++;
        st.lat.push(performance.now() - t);
        return;
      }
      if (r.conflict) {
        st.conflicts++;
        if (attempt < MAX_RETRIES) st.retries++;
        continue;
      }
      noteError(st, `${status} ${text}`);
      return;
    } catch (e) {
      noteError(S(), e?.message ?? e);
      return;
    }
  }
};

log(`${args.scenario}: ${CONNECTIONS} connections, ${args.duration}s (+${args.warmup}s warm-up), ${SHIPMENTS} shipment(s) ${awb(0)}… against ${args.url} [${args.adapter}]`);
let stats = newStats();
let stop = false;
const loops = clients.map(async (c) => {
  while (!stop) await operation(c, () => stats);
});
if (WARMUP_MS > 0) {
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  stats = newStats();
}
const tStart = performance.now();
await new Promise((r) => setTimeout(r, DURATION_MS));
const st = stats;
const elapsed = (performance.now() - tStart) / 1000;
stop = true;
stats = newStats(); // operations finishing after the window are not counted
await Promise.all(loops);
await Promise.all(clients.map((c) => c.close()));

const sorted = Float64Array.from(st.lat).sort();
const mean = sorted.length ? sorted.reduce((x, y) => x + y, 0) / sorted.length : null;
console.log(
  JSON.stringify({
    scenario: args.scenario,
    adapter: args.adapter,
    label: args.label || undefined,
    url: args.url,
    connections: CONNECTIONS,
    durationS: r2(elapsed),
    ops: st.ok,
    rps: r2(st.ok / elapsed),
    httpRps: r2(st.http / elapsed),
    p50: r2(pct(sorted, 50)),
    p95: r2(pct(sorted, 95)),
    p99: r2(pct(sorted, 99)),
    max: r2(sorted.length ? sorted[sorted.length - 1] : null),
    mean: r2(mean),
    errors: st.errors,
    conflicts: st.conflicts,
    retries: st.retries,
    ...(st.gaveUp ? { gaveUp: st.gaveUp } : {}),
    ...(st.errorSamples.length ? { errorSamples: st.errorSamples } : {}),
    command: 'RecordShipmentStatus',
    shipments: SHIPMENTS,
    created: created.size,
  }),
);
