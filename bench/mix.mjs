#!/usr/bin/env node
// Open-loop load of a realistic request mix against the Track & Trace API (issue 8, target 6):
// 70 % reads (entity status and timeline), 25 % writes (domain commands and raw appends), 5 % searches,
// sent at a FIXED arrival rate whatever the server does, so latency stays honest under overload.
//
//   TRACKTRACE_TOKEN=… node bench/mix.mjs --url http://127.0.0.1:8787 --rate 500 [--duration 15] [--warmup 3]
//     [--connections 64] [--max-inflight 2000] [--state FILE] [--seed-only] [--undici PATH] [--label TEXT]
//
// Working set (seeded through the API before the first window, or loaded from --state when that file
// exists; --seed-only seeds, writes --state and exits): --flights 30 flights (ScheduleFlight LIM → …,
// CheckInOpen, Delayed), --shipments 240 air waybills (BKD, RCS with a valid mod-7 check digit),
// --bags 160 bag tags (IssueBagTag, ScanBag Acceptance), --ulds 40 ULDs (LoadUld with seeded shipments
// and bags), --equipment 20 tugs/belt loaders (AssignEquipment). Then it waits until every entity's
// GET /v1/entities/{type}/{id} is 200 (the read models have them).
//
// The mix, per request (weights --mix "status=35,timeline=35,command=12.5,append=12.5,search=5"):
//   status    GET /v1/entities/{type}/{id}                      any seeded entity
//   timeline  GET /v1/entities/{type}/{id}/timeline?limit=50    any seeded entity
//   command   POST /v1/shipments/{awb}/statuses (60 %, FSU codes other than DLV/DIS),
//             POST /v1/baggage/{tag}/scans (30 %, points other than Claimed), POST /v1/flights/{id}/status
//             (10 %, Delayed → Delayed, allowed forever). Every one of these is accepted in any state the
//             mix can produce, so a 409 is a real error.
//   append    POST /v1/streams/{streamId}/events, one event, fresh UUID, expectedVersion "any": shipment
//             ShipmentStatusRecorded (not DLV), baggage BagScanned (not Claimed), flight
//             TurnaroundMilestoneRecorded, uld UldStatusChanged {serviceable: true}, equipment
//             EquipmentFaultReported. None of them can make a later command of the mix break a rule.
//   search    GET /v1/entities?… (type+location, type+status, a sub-location, location only)
//
// Open loop: request i is due at t0 + i/rate; a 1 ms timer sends everything due. Latency is measured
// from the DUE time (so time spent queued in the client or its connection pool counts). At most
// --max-inflight requests are outstanding; a request due while that many are in flight is not sent
// and counts as an error ("not sent: in-flight cap"). Requests due during --warmup are sent but not
// counted; those due in the window are counted when they finish (waited for up to --drain-s, after
// which they count as errors "no answer within drain").
// Errors: any status other than 200/201, network errors, not sent, not answered.
//
// Prints one JSON line: {scenario:"mix", rate, durationS, due, sent, done, achievedRps (answers/s),
//   okRps, p50, p95, p99, max, mean (ms, all classes), errors, errorRate, held (p95 < 200 and
//   errorRate < 0.001), classes: {read, write, search}, kinds: {status, timeline, command, append,
//   search} (each {n, ok, errors, p50, p95, p99, max}), byStatus, errorSamples: [{kind, status, body}],
//   sendLagP99 (ms between due and actual send), inflightMax, workingSet}
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8787' },
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    'max-inflight': { type: 'string', default: '2000' },
    'drain-s': { type: 'string', default: '10' },
    state: { type: 'string' },
    'seed-only': { type: 'boolean', default: false },
    undici: { type: 'string', default: process.env.UNDICI_PATH },
    mix: { type: 'string', default: 'status=35,timeline=35,command=12.5,append=12.5,search=5' },
    flights: { type: 'string', default: '30' },
    shipments: { type: 'string', default: '240' },
    bags: { type: 'string', default: '160' },
    ulds: { type: 'string', default: '40' },
    equipment: { type: 'string', default: '20' },
    'seed-concurrency': { type: 'string', default: '16' },
    'ready-timeout-s': { type: 'string', default: '120' },
    label: { type: 'string', default: '' },
  },
});
const TOKEN = process.env.TRACKTRACE_TOKEN;
if (!TOKEN) {
  console.error('mix: set TRACKTRACE_TOKEN (npm run --silent token -- --tenant bench --scope "tracking:read tracking:write")');
  process.exit(2);
}
const log = (m) => console.error(`[mix] ${m}`);

// undici: the path given (bench/mix.sh passes the peer bench's copy), else whatever resolves from here
const undici = a.undici
  ? createRequire(path.resolve(a.undici, 'package.json'))(path.resolve(a.undici))
  : await import('undici');
const { Pool } = undici;
const pool = new Pool(a.url, { connections: Number(a.connections), pipelining: 1, keepAliveTimeout: 60_000 });
const AUTH = { authorization: `Bearer ${TOKEN}` };
const JSON_AUTH = { ...AUTH, 'content-type': 'application/json', 'x-source': 'bench-mix' };

async function send(method, p, body, extraHeaders) {
  const res = await pool.request({
    method, path: p, headers: body === undefined ? { ...AUTH, ...extraHeaders } : { ...JSON_AUTH, ...extraHeaders },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: 60_000, bodyTimeout: 60_000,
  });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

// ---- identifiers ---------------------------------------------------------------------------------
const RUN = randomUUID().replace(/-/g, '').slice(0, 6).toUpperCase();
const rnd = (n) => Math.floor(Math.random() * n);
const pick = (xs) => xs[rnd(xs.length)];
const awb = () => {
  const serial = 1_000_000 + rnd(9_000_000);
  return `${pick(['001', '075', '134', '230', '045'])}-${serial}${serial % 7}`;
};
const bagTag = () => `0${pick(['045', '075', '134'])}${String(rnd(1_000_000)).padStart(6, '0')}`;
const uldId = () => `${pick(['AKE', 'PMC', 'AKH'])}${10000 + rnd(90000)}${pick(['LA', 'IB', 'AV'])}`;
const DESTS = ['MIA', 'JFK', 'GRU', 'SCL', 'BOG', 'MAD', 'CUZ', 'MEX'];
const AIRPORTS = ['LIM', 'MIA', 'JFK'];
const SHIPMENT_CODES = ['RCS', 'FOH', 'PRE', 'MAN', 'DEP', 'ARR', 'RCF', 'NFD', 'TRM'];
const BAG_POINTS = ['Screened', 'Sorted', 'TransferHandover', 'Arrival', 'Loaded'];
const MILESTONES = ['OnBlock', 'DoorsOpen', 'UnloadingStarted', 'FuelingStarted', 'CateringCompleted', 'CleaningCompleted', 'LoadingStarted'];

// ---- seeding through the API ------------------------------------------------------------------
async function must(label, method, p, body, okCodes = [201], headers = undefined) {
  for (let attempt = 1; ; attempt++) {
    let r;
    try {
      r = await send(method, p, body, headers);
    } catch (e) {
      r = { status: 0, text: String(e?.message ?? e) };
    }
    if (okCodes.includes(r.status)) return r;
    if ((r.status === 503 || r.status === 0) && attempt < 5) {
      await new Promise((res) => setTimeout(res, 500 * attempt));
      continue;
    }
    const err = new Error(`${label}: ${method} ${p} -> ${r.status} ${r.text.slice(0, 300)}`);
    err.status = r.status;
    err.text = r.text;
    throw err;
  }
}
async function inParallel(items, n, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}
/** Runs `make()` → fn(id) until fn does not throw a 409 (an id taken by an earlier run of the mix). */
async function fresh(make, fn) {
  for (let i = 0; ; i++) {
    const id = make();
    try {
      await fn(id);
      return id;
    } catch (e) {
      if (e.status !== 409 || i >= 5) throw e;
    }
  }
}

async function seed() {
  const t0 = performance.now();
  const C = Number(a['seed-concurrency']);
  const now = Date.now();
  const iso = (ms) => new Date(ms).toISOString();
  // Lima is UTC-5 all year: the flight id's date is the departure's local date there
  const limaDate = (ms) => new Date(ms - 5 * 3600_000).toISOString().slice(0, 10);
  const flights = [];
  await inParallel(Array.from({ length: Number(a.flights) }, (_, i) => i), C, async (i) => {
    const dep = now + 3 * 3600_000 + i * 10 * 60_000;
    const dest = DESTS[i % DESTS.length];
    const id = await fresh(() => `${pick(['LA', 'IB', 'AV'])}${1000 + rnd(9000)}-${limaDate(dep)}`, async (id) => {
      await must('schedule', 'POST', `/v1/flights/${id}/schedule`, {
        scheduledDeparture: iso(dep), scheduledArrival: iso(dep + 4 * 3600_000), origin: 'LIM', destination: dest, occurredAt: iso(now - 3600_000),
      });
    });
    await must('check-in', 'POST', `/v1/flights/${id}/status`, { newStatus: 'CheckInOpen', location: 'LIM' });
    await must('delay', 'POST', `/v1/flights/${id}/status`, { newStatus: 'Delayed', delayMinutes: 15, reason: 'Late inbound aircraft', location: 'LIM' });
    flights.push(id);
  });
  const shipments = [];
  await inParallel(Array.from({ length: Number(a.shipments) }, (_, i) => i), C, async (i) => {
    const flight = flights[i % flights.length];
    const pieces = 1 + (i % 12);
    const at = AIRPORTS[i % AIRPORTS.length];
    const id = await fresh(awb, async (id) => {
      // BKD on a fresh stream with expected version 0 (If-Match "0"): a taken id is a 409
      await must('BKD', 'POST', `/v1/shipments/${id}/statuses`, { code: 'BKD', pieces, weightKg: pieces * 12.5, flight, location: at }, [201], { 'if-match': '"0"' });
    });
    await must('RCS', 'POST', `/v1/shipments/${id}/statuses`, { code: 'RCS', pieces, weightKg: pieces * 12.5, location: `${at}/WH2` });
    shipments.push({ id, flight, pieces, at });
  });
  const bags = [];
  await inParallel(Array.from({ length: Number(a.bags) }, (_, i) => i), C, async (i) => {
    const flight = flights[i % flights.length];
    const id = await fresh(bagTag, (id) =>
      must('tag', 'POST', `/v1/baggage/${id}/tag`, { passengerRef: `PNR-${RUN}-${i}`, flights: [flight], location: 'LIM/CHK' }));
    await must('acceptance', 'POST', `/v1/baggage/${id}/scans`, { point: 'Acceptance', location: 'LIM/CHK' });
    bags.push({ id, flight });
  });
  const ulds = [];
  await inParallel(Array.from({ length: Number(a.ulds) }, (_, i) => i), C, async (i) => {
    const flight = flights[i % flights.length];
    const items = shipments.filter((s) => s.flight === flight).slice(0, 4).map((s) => s.id);
    const bagIds = bags.filter((b) => b.flight === flight).slice(0, 6).map((b) => b.id);
    const id = await fresh(uldId, (id) =>
      must('load', 'POST', `/v1/ulds/${id}/loads`, { flight, shipments: items, bags: bagIds, location: 'LIM' }));
    ulds.push({ id, flight });
  });
  const equipment = [];
  await inParallel(Array.from({ length: Number(a.equipment) }, (_, i) => i), C, async (i) => {
    const id = `${pick(['TUG', 'BLT', 'GPU'])}-${RUN}-${i}`;
    await must('assign', 'POST', `/v1/equipment/${id}/assignments`, { flight: flights[i % flights.length], task: 'Pushback', location: 'LIM/STAND/12' });
    equipment.push({ id });
  });
  const ws = { run: RUN, flights, shipments, bags, ulds, equipment };
  log(`seeded ${flights.length} flights, ${shipments.length} shipments, ${bags.length} bags, ${ulds.length} ULDs, ${equipment.length} equipment in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return ws;
}

function entitiesOf(ws) {
  return [
    ...ws.flights.map((id) => ({ type: 'flight', id, collection: 'flights' })),
    ...ws.shipments.map((s) => ({ type: 'shipment', id: s.id, collection: 'shipments', s })),
    ...ws.bags.map((b) => ({ type: 'baggage', id: b.id, collection: 'baggage', b })),
    ...ws.ulds.map((u) => ({ type: 'uld', id: u.id, collection: 'ulds' })),
    ...ws.equipment.map((e) => ({ type: 'equipment', id: e.id, collection: 'equipment' })),
  ];
}

async function waitForReadModels(ws) {
  const t0 = performance.now();
  let pending = entitiesOf(ws);
  const deadline = Date.now() + Number(a['ready-timeout-s']) * 1000;
  while (pending.length) {
    const still = [];
    await inParallel(pending, 16, async (e) => {
      const r = await send('GET', `/v1/entities/${e.type}/${e.id}`).catch(() => ({ status: 0 }));
      if (r.status !== 200) still.push(e);
    });
    pending = still;
    if (!pending.length) break;
    if (Date.now() > deadline) throw new Error(`read models still miss ${pending.length} entities after ${a['ready-timeout-s']} s, e.g. ${pending[0].type}/${pending[0].id}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`read models have all ${entitiesOf(ws).length} entities (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

let ws;
if (a.state && existsSync(a.state)) {
  ws = JSON.parse(readFileSync(a.state, 'utf8'));
  log(`working set from ${a.state} (run ${ws.run})`);
} else {
  ws = await seed();
  if (a.state) writeFileSync(a.state, JSON.stringify(ws) + '\n');
}
await waitForReadModels(ws);
if (a['seed-only']) {
  await pool.close();
  console.log(JSON.stringify({ scenario: 'mix-seed', workingSet: entitiesOf(ws).length, run: ws.run }));
  process.exit(0);
}

// ---- the mix -----------------------------------------------------------------------------------
const ENTITIES = entitiesOf(ws);
const SHIPS = ENTITIES.filter((e) => e.type === 'shipment');
const BAGS = ENTITIES.filter((e) => e.type === 'baggage');
const FLIGHTS = ENTITIES.filter((e) => e.type === 'flight');
const CLASS = { status: 'read', timeline: 'read', command: 'write', append: 'write', search: 'search' };
const weights = Object.fromEntries(a.mix.split(',').map((kv) => kv.split('=')).map(([k, v]) => [k.trim(), Number(v)]));
for (const k of Object.keys(weights)) if (!CLASS[k]) throw new Error(`--mix: unknown kind ${k}`);
const totalW = Object.values(weights).reduce((s, x) => s + x, 0);
const cumulative = [];
{
  let acc = 0;
  for (const [k, w] of Object.entries(weights)) cumulative.push([(acc += w) / totalW, k]);
}
const kindAt = (u) => cumulative.find(([c]) => u < c)?.[1] ?? cumulative[cumulative.length - 1][1];

const SEARCHES = [
  () => `/v1/entities?type=shipment&location=${pick(AIRPORTS)}`,
  () => `/v1/entities?type=shipment&status=${pick(['RCS,FOH', 'MAN,DEP', 'ARR,RCF,NFD'])}`,
  () => `/v1/entities?type=baggage&location=LIM`,
  () => `/v1/entities?type=flight&status=Delayed`,
  () => `/v1/entities?location=${pick(AIRPORTS)}/WH2`,
  () => `/v1/entities?type=uld&location=LIM&limit=20`,
];

function request(kind) {
  switch (kind) {
    case 'status': {
      const e = pick(ENTITIES);
      return ['GET', `/v1/entities/${e.type}/${e.id}`];
    }
    case 'timeline': {
      const e = pick(ENTITIES);
      return ['GET', `/v1/entities/${e.type}/${e.id}/timeline?limit=50`];
    }
    case 'search':
      return ['GET', pick(SEARCHES)()];
    case 'command': {
      const u = Math.random();
      if (u < 0.6) {
        const e = pick(SHIPS);
        const code = pick(SHIPMENT_CODES);
        const flight = ['MAN', 'DEP', 'ARR'].includes(code) ? { flight: e.s.flight } : {};
        const where = code === 'RCS' || code === 'FOH' || code === 'RCF' ? `${e.s.at}/WH2` : e.s.at;
        return ['POST', `/v1/shipments/${e.id}/statuses`, { code, pieces: e.s.pieces, weightKg: e.s.pieces * 12.5, ...flight, location: where }];
      }
      if (u < 0.9) {
        const e = pick(BAGS);
        const point = pick(BAG_POINTS);
        return ['POST', `/v1/baggage/${e.id}/scans`, { point, ...(point === 'Loaded' ? { flight: e.b.flight } : {}), location: 'LIM/BHS' }];
      }
      const e = pick(FLIGHTS);
      return ['POST', `/v1/flights/${e.id}/status`, { newStatus: 'Delayed', delayMinutes: 15 + rnd(120), reason: 'Late inbound aircraft', location: 'LIM' }];
    }
    case 'append': {
      const e = pick(ENTITIES);
      let ev;
      switch (e.type) {
        case 'shipment': {
          const code = pick(SHIPMENT_CODES);
          ev = { type: 'ShipmentStatusRecorded', location: e.s.at, data: { code, pieces: e.s.pieces, weightKg: e.s.pieces * 12.5 } };
          break;
        }
        case 'baggage':
          ev = { type: 'BagScanned', location: 'LIM/BHS', data: { point: pick(['Screened', 'Sorted', 'TransferHandover']) } };
          break;
        case 'flight':
          ev = { type: 'TurnaroundMilestoneRecorded', location: 'LIM/STAND/12', data: { milestone: pick(MILESTONES), at: new Date().toISOString() } };
          break;
        case 'uld':
          ev = { type: 'UldStatusChanged', location: 'LIM', data: { serviceable: true } };
          break;
        default:
          ev = { type: 'EquipmentFaultReported', location: 'LIM/STAND/12', data: { fault: 'Hydraulic pressure low' } };
      }
      return ['POST', `/v1/streams/${e.type}-${e.id}/events`, { expectedVersion: 'any', events: [{ id: randomUUID(), ...ev }] }];
    }
  }
  throw new Error(kind);
}

const RATE = Number(a.rate);
const WARMUP_MS = Number(a.warmup) * 1000;
const DURATION_MS = Number(a.duration) * 1000;
const MAX_INFLIGHT = Number(a['max-inflight']);
const newStats = () => ({ lat: [], ok: 0, errors: 0 });
const kinds = Object.fromEntries(Object.keys(CLASS).map((k) => [k, newStats()]));
const byStatus = {};
const errorSamples = [];
const sendLag = [];
let due = 0, sent = 0, done = 0, notSent = 0, inflight = 0, inflightMax = 0;
const pendingInWindow = new Set();

function record(kind, measured, status, text, latency) {
  if (!measured) return;
  const st = kinds[kind];
  byStatus[status] = (byStatus[status] ?? 0) + 1;
  if (status === 200 || status === 201) {
    st.ok++;
    st.lat.push(latency);
  } else {
    st.errors++;
    if (errorSamples.length < 12) errorSamples.push({ kind, status, body: String(text ?? '').slice(0, 100) });
  }
}

function fire(kind, dueAt, measured) {
  const [method, p, body] = request(kind);
  if (measured) due++;
  if (inflight >= MAX_INFLIGHT) {
    if (measured) {
      notSent++;
      record(kind, true, 'not-sent', 'not sent: in-flight cap', 0);
    }
    return;
  }
  inflight++;
  inflightMax = Math.max(inflightMax, inflight);
  if (measured) {
    sent++;
    sendLag.push(performance.now() - dueAt);
  }
  const pr = send(method, p, body)
    .then((r) => record(kind, measured, r.status, r.text, performance.now() - dueAt))
    .catch((e) => record(kind, measured, 'network', e?.code ?? e?.message ?? e, performance.now() - dueAt))
    .finally(() => {
      inflight--;
      if (measured) done++;
      pendingInWindow.delete(pr);
    });
  if (measured) pendingInWindow.add(pr);
}

log(`rate ${RATE}/s: warm-up ${a.warmup} s, window ${a.duration} s, ${a.connections} connections, ${ENTITIES.length} entities`);
const t0 = performance.now() + 20;
const wStart = t0 + WARMUP_MS;
const wEnd = wStart + DURATION_MS;
const interval = 1000 / RATE;
let i = 0;
await new Promise((resolve) => {
  const tick = () => {
    const now = performance.now();
    while (true) {
      const at = t0 + i * interval;
      if (at > now || at >= wEnd) break;
      fire(kindAt(Math.random()), at, at >= wStart);
      i++;
    }
    if (t0 + i * interval >= wEnd) return resolve();
    setTimeout(tick, 1);
  };
  setTimeout(tick, Math.max(0, t0 - performance.now()));
});
// wait for the window's requests (bounded)
const drainUntil = performance.now() + Number(a['drain-s']) * 1000;
while (pendingInWindow.size && performance.now() < drainUntil) await Promise.race([...pendingInWindow, new Promise((r) => setTimeout(r, 200))]);
const unanswered = pendingInWindow.size;
for (let k = 0; k < unanswered; k++) {
  byStatus['no-answer'] = (byStatus['no-answer'] ?? 0) + 1;
  if (errorSamples.length < 12) errorSamples.push({ kind: '?', status: 'no-answer', body: `no answer within ${a['drain-s']} s of the window's end` });
}

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);
const r2 = (x) => (x == null ? null : Math.round(x * 100) / 100);
const summary = (sts) => {
  const lat = Float64Array.from(sts.flatMap((s) => s.lat)).sort();
  const ok = sts.reduce((s, x) => s + x.ok, 0), errors = sts.reduce((s, x) => s + x.errors, 0);
  return {
    n: ok + errors, ok, errors, p50: r2(pct(lat, 50)), p95: r2(pct(lat, 95)), p99: r2(pct(lat, 99)), max: r2(lat.length ? lat[lat.length - 1] : null),
    mean: r2(lat.length ? lat.reduce((s, x) => s + x, 0) / lat.length : null),
  };
};
const all = summary(Object.values(kinds));
const errors = all.errors + unanswered;
const errorRate = due ? errors / due : 0;
const classes = Object.fromEntries(['read', 'write', 'search'].map((c) => [c, summary(Object.keys(CLASS).filter((k) => CLASS[k] === c).map((k) => kinds[k]))]));
const lagSorted = Float64Array.from(sendLag).sort();
const windowS = DURATION_MS / 1000;
const held = all.p95 != null && all.p95 < 200 && errorRate < 0.001;
await pool.close().catch(() => {});
console.log(JSON.stringify({
  scenario: 'mix', label: a.label || undefined, url: a.url, rate: RATE, durationS: windowS, warmupS: WARMUP_MS / 1000,
  connections: Number(a.connections), maxInflight: MAX_INFLIGHT,
  due, sent, done, notSent, unanswered, achievedRps: r2((all.n) / windowS), okRps: r2(all.ok / windowS),
  p50: all.p50, p95: all.p95, p99: all.p99, max: all.max, mean: all.mean,
  errors, errorRate: Math.round(errorRate * 1e6) / 1e6, held,
  classes, kinds: Object.fromEntries(Object.entries(kinds).map(([k, s]) => [k, summary([s])])),
  byStatus, ...(errorSamples.length ? { errorSamples } : {}),
  sendLagP50: r2(pct(lagSorted, 50)), sendLagP99: r2(pct(lagSorted, 99)), inflightMax,
  mix: weights, workingSet: { run: ws.run, entities: ENTITIES.length, flights: ws.flights.length, shipments: ws.shipments.length, bags: ws.bags.length, ulds: ws.ulds.length, equipment: ws.equipment.length },
}));
process.exit(0);
