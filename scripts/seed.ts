// `npm run seed` (with `npm start` running): a realistic day at Lima (LIM) for two tenants, sent
// through the command routes. Every command carries an Idempotency-Key, so seeding twice stores
// nothing twice: the second run is answered with the first run's events.
// The handler works for LATAM (LA, prefix 045), Avianca (AV, 134) and Iberia (IB, 075), so a partner
// token for LA,045 has something to see and something it must not. Once the read models have caught
// up it prints curl lines for the read side: status, timeline, search, manifest, metrics, the admin
// routes, and a LATAM partner's three questions answered.
//
// It finds the running `npm start` (its URL and development key) by itself, whatever PORT and
// TRACKTRACE_DATA_DIR that got (scripts/instance.ts). The day it seeds is the one already in the
// store if there is one, so a run on any later date replays it (same ids, nothing stored twice);
// `npm run --silent seed -- --ids` prints that day's flight ids as shell assignments (LA=… IB=…),
// for the README's walkthrough: eval "$(npm run --silent seed -- --ids)".
import { parseArgs } from 'node:util';
import { SetupError, signDevToken } from './devKey.ts';
import { resolveTarget } from './instance.ts';

const { values: args } = parseArgs({ options: { ids: { type: 'boolean', default: false } } });
const target = (() => {
  try {
    return resolveTarget('seed');
  } catch (e) {
    if (!(e instanceof SetupError)) throw e;
    console.error(`seed: ${e.message}`);
    process.exit(2);
  }
})();
for (const note of target.notes) console.error(`seed: note: ${note}`);
const BASE = target.url;

// The working day: flight ids carry its local (Lima, UTC-5) departure date. Set by findDay().
let day = new Date(Date.now() - 14 * 3600_000);
let date = day.toISOString().slice(0, 10); // keys the seed's idempotency keys
const limaDate = (minutes: number) => new Date(day.getTime() + minutes * 60_000 - 5 * 3600_000).toISOString().slice(0, 10);
const at = (minutes: number) => new Date(day.getTime() + minutes * 60_000).toISOString();

const stats = { sent: 0, stored: 0, replayed: 0, rejected: [] as string[] };

async function command(token: string, path: string, key: string, body: Record<string, unknown>, expectRule?: string) {
  const res = await fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `seed-${date}-${key}`, 'x-source': 'seed' },
    body: JSON.stringify(body),
  });
  stats.sent++;
  const text = await res.text();
  if (res.status === 201) {
    if (res.headers.get('idempotent-replayed')) stats.replayed++;
    else stats.stored++;
    return;
  }
  const problem = JSON.parse(text) as { code?: string; detail?: string };
  if (res.status === 401) throw refused(problem.detail);
  // on a second run the state has moved on, so another rule may be the one that refuses it
  if (expectRule && res.status === 409) {
    stats.rejected.push(`${path}: ${problem.code}${problem.code === expectRule ? '' : ` (first run: ${expectRule})`}`);
    return;
  }
  throw new Error(`${path} -> ${res.status} ${text}`);
}

const awb = (prefix: string, n: number) => {
  const serial = 4_100_000 + n * 37;
  return `${prefix}-${serial}${serial % 7}`;
};

async function flightDay(token: string, f: { no: string; to: string; dep: number; delayed?: number }) {
  const id = `${f.no}-${limaDate(f.dep)}`;
  const p = `/v1/flights/${id}`;
  await command(token, `${p}/schedule`, `${id}-sch`, { scheduledDeparture: at(f.dep), scheduledArrival: at(f.dep + 240), origin: 'LIM', destination: f.to, occurredAt: at(0) });
  await command(token, `${p}/milestones`, `${id}-onb`, { milestone: 'OnBlock', location: 'LIM/STAND/12', occurredAt: at(f.dep - 90) });
  for (const [i, m] of ['DoorsOpen', 'UnloadingStarted', 'UnloadingCompleted', 'FuelingStarted', 'FuelingCompleted', 'CateringCompleted', 'CleaningCompleted', 'LoadingStarted', 'LoadingCompleted', 'BoardingStarted', 'BoardingCompleted', 'DoorsClosed', 'PushbackRequested'].entries()) {
    await command(token, `${p}/milestones`, `${id}-${m}`, { milestone: m, location: 'LIM/STAND/12', occurredAt: at(f.dep - 85 + i * 6) });
  }
  await command(token, `${p}/status`, `${id}-cki`, { newStatus: 'CheckInOpen', location: 'LIM', occurredAt: at(f.dep - 180) });
  if (f.delayed) await command(token, `${p}/status`, `${id}-dly`, { newStatus: 'Delayed', reason: 'Late inbound aircraft', delayMinutes: f.delayed, location: 'LIM', occurredAt: at(f.dep - 60) });
  await command(token, `${p}/status`, `${id}-brd`, { newStatus: 'Boarding', location: 'LIM/GATE/A5', occurredAt: at(f.dep - 40 + (f.delayed ?? 0)) });
  await command(token, `${p}/milestones`, `${id}-ofb`, { milestone: 'OffBlock', location: 'LIM/STAND/12', occurredAt: at(f.dep + (f.delayed ?? 0)) });
  await command(token, `${p}/status`, `${id}-dep`, { newStatus: 'Departed', location: 'LIM', occurredAt: at(f.dep + 10 + (f.delayed ?? 0)) });
  // a milestone after OffBlock breaks a rule: shown, not stored
  await command(token, `${p}/milestones`, `${id}-late`, { milestone: 'DoorsOpen', occurredAt: at(f.dep + 20) }, 'turnaround_finished');
  return id;
}

async function exportShipment(token: string, awbId: string, flight: string, pieces: number, n: number, departs = 500) {
  const p = `/v1/shipments/${awbId}/statuses`;
  const w = pieces * 12.5;
  await command(token, p, `${awbId}-bkd`, { code: 'BKD', pieces, weightKg: w, flight, location: 'LIM', occurredAt: at(30 + n) });
  await command(token, p, `${awbId}-rcs`, { code: 'RCS', pieces, weightKg: w, location: 'LIM/WH2', occurredAt: at(120 + n * 3) });
  await command(token, p, `${awbId}-foh`, { code: 'FOH', pieces, weightKg: w, location: 'LIM/WH2/B-14', occurredAt: at(125 + n * 3) });
  await command(token, p, `${awbId}-pre`, { code: 'PRE', pieces, weightKg: w, flight, location: 'LIM/WH2', occurredAt: at(300 + n * 2) });
  await command(token, p, `${awbId}-man`, { code: 'MAN', pieces, weightKg: w, flight, location: 'LIM', occurredAt: at(360 + n) });
  await command(token, p, `${awbId}-dep`, { code: 'DEP', pieces, weightKg: w, flight, location: 'LIM', occurredAt: at(departs) });
}

/** Received today for a later flight: still in the warehouse (LIM/WH2), not delivered. */
async function waitingShipment(token: string, awbId: string, pieces: number, n: number) {
  const p = `/v1/shipments/${awbId}/statuses`;
  const w = pieces * 15;
  await command(token, p, `${awbId}-bkd`, { code: 'BKD', pieces, weightKg: w, location: 'LIM', occurredAt: at(100 + n) });
  await command(token, p, `${awbId}-rcs`, { code: 'RCS', pieces, weightKg: w, location: 'LIM/WH2', occurredAt: at(540 + n * 4) });
  await command(token, p, `${awbId}-foh`, { code: 'FOH', pieces, weightKg: w, location: `LIM/WH2/B-0${1 + (n % 9)}`, occurredAt: at(545 + n * 4) });
}

/** Arrived on an inbound flight and waiting in LIM/WH2 for its consignee: notified, not delivered. */
async function arrivedShipment(token: string, awbId: string, flight: string, pieces: number, n: number) {
  const p = `/v1/shipments/${awbId}/statuses`;
  const w = pieces * 18;
  await command(token, p, `${awbId}-arr`, { code: 'ARR', pieces, weightKg: w, flight, location: 'LIM', occurredAt: at(330) });
  await command(token, p, `${awbId}-rcf`, { code: 'RCF', pieces, weightKg: w, flight, location: 'LIM/WH2', occurredAt: at(390 + n * 5) });
  await command(token, p, `${awbId}-nfd`, { code: 'NFD', pieces, weightKg: w, location: 'LIM/WH2', occurredAt: at(430 + n * 5) });
}

async function importShipment(token: string, awbId: string, pieces: number, n: number, discrepancy?: boolean) {
  const p = `/v1/shipments/${awbId}/statuses`;
  const w = pieces * 20;
  const flight = `IB6651-${limaDate(200)}`;
  await command(token, p, `${awbId}-arr`, { code: 'ARR', pieces, weightKg: w, flight, location: 'LIM', occurredAt: at(200) });
  await command(token, p, `${awbId}-rcf`, { code: 'RCF', pieces, weightKg: w, flight, location: 'LIM/WH1', occurredAt: at(260 + n) });
  if (discrepancy) await command(token, p, `${awbId}-dis`, { code: 'DIS', pieces: 1, weightKg: 20, discrepancy: 'DMCA', location: 'LIM/WH1', occurredAt: at(265 + n) });
  await command(token, p, `${awbId}-nfd`, { code: 'NFD', pieces, weightKg: w, location: 'LIM/WH1', occurredAt: at(300 + n) });
  // delivering more than was received breaks a rule: shown, not stored
  if (n === 0) await command(token, p, `${awbId}-over`, { code: 'DLV', pieces: pieces + 1, weightKg: w, location: 'LIM/WH1', occurredAt: at(400) }, 'delivered_exceeds_received');
  await command(token, p, `${awbId}-dlv`, { code: 'DLV', pieces, weightKg: w, location: 'LIM/WH1', occurredAt: at(420 + n * 5) });
}

async function bag(token: string, tag: string, flight: string, n: number, lost?: { reason: string; report: string }) {
  const p = `/v1/baggage/${tag}`;
  await command(token, `${p}/tag`, `${tag}-tag`, { passengerRef: `PAX-${(n * 7919).toString(36).toUpperCase()}`, flights: [flight], occurredAt: at(200 + n) });
  for (const [i, point] of ['Acceptance', 'Screened', 'Sorted', 'Loaded'].entries()) {
    if (lost && point === 'Loaded') break;
    await command(token, `${p}/scans`, `${tag}-${point}`, { point, flight, location: i === 3 ? 'LIM/STAND/12' : 'LIM/BHS', occurredAt: at(200 + n + i * 15) });
  }
  if (lost) await command(token, `${p}/mishandlings`, `${tag}-mh`, { ...lost, location: 'LIM', occurredAt: at(420) });
}

/** Waits (up to 30 s) until every read model has applied every event of these tenants. */
async function caughtUp(tenants: string[]) {
  for (const tenant of tenants) {
    const admin = await sign(tenant, 'tracking:admin', 'seed:admin');
    for (let i = 0; ; i++) {
      const res = await fetch(`${BASE}/v1/admin/projections`, { headers: { authorization: `Bearer ${admin}` } });
      if (!res.ok) throw new Error(`/v1/admin/projections -> ${res.status} ${await res.text()}`);
      const { items } = (await res.json()) as { items: { name: string; lag: { events: number } }[] };
      const behind = items.filter((p) => p.lag.events > 0);
      if (!behind.length) break;
      if (i === 60) {
        console.log(`  the read models are still behind for ${tenant} (${behind.map((p) => `${p.name}: ${p.lag.events} events`).join(', ')}); see /v1/admin/projections`);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const sign = (tenant: string, scope: string, subject: string) =>
  signDevToken({ tenant, scope, subject, dir: target.dataDir, rules: target.rules, create: false });

/** The API answered 401 to a token signed with the key of target.dataDir: say which setting is off. */
function refused(detail?: string) {
  return new SetupError(
    `the API at ${BASE} refuses tokens signed with the development key of ${target.dataDir} (${detail ?? 'unauthorized'}). ` +
    (target.instance
      ? 'Has npm start been restarted with another TRACKTRACE_DATA_DIR? Run npm run seed again'
      : `Set TRACKTRACE_DATA_DIR to the data folder of the npm start serving ${BASE} (it prints it when it starts), or PORT to the npm start that uses ${target.dataDir}`),
  );
}

/**
 * The seeded day already in the store (from the first shipment's first event: BKD at day + 30 min),
 * or none. Also checks that the API answers and accepts our tokens.
 */
async function seededDay(token: string): Promise<Date | undefined> {
  let res: Response;
  try {
    res = await fetch(`${BASE}/v1/streams/shipment-${awb('045', 0)}/events?limit=1`, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new SetupError(
      `no API answers at ${BASE}. ` +
      (target.notes.length
        ? 'Is it running? Set PORT (or TRACKTRACE_URL) and TRACKTRACE_DATA_DIR to those of the npm start you mean, or unset them to use the one of this checkout'
        : 'Start it with npm start (seed then finds it by itself, whatever PORT and TRACKTRACE_DATA_DIR it got)'),
    );
  }
  const body = (await res.json().catch(() => ({}))) as { detail?: string; events?: { occurredAt: string }[] };
  if (res.status === 401) throw refused(body.detail);
  if (res.status === 404) return undefined;
  if (!res.ok || !body.events?.[0]) throw new Error(`${BASE}/v1/streams/shipment-${awb('045', 0)}/events -> ${res.status} ${JSON.stringify(body)}`);
  return new Date(Date.parse(body.events[0].occurredAt) - 30 * 60_000);
}

const flightIds = () => ({ LA: `LA2047-${limaDate(540)}`, LA2400: `LA2400-${limaDate(480)}`, IB: `IB6650-${limaDate(600)}`, AV: `AV52-${limaDate(660)}` });
/** Since midnight (Lima) of the day the seed first ran: what updatedSince needs to find today's changes. */
const since = () => `${limaDate(14 * 60)}T00:00:00-05:00`;
const shellIds = () => Object.entries({ ...flightIds(), SINCE: since(), FROM: at(0) }).map(([k, v]) => `${k}=${v}`).join(' ');

let handler = '';
let forwarder = '';
try {
  handler = await sign('lim-handling', 'tracking:read tracking:write', 'seed:lim-handling');
  forwarder = await sign('andes-forwarding', 'tracking:read tracking:write', 'seed:andes-forwarding');
  const found = await seededDay(handler);
  if (args.ids) {
    if (!found) throw new SetupError(`nothing is seeded at ${BASE} yet: run npm run seed first`);
  }
  if (found) {
    day = found;
    date = day.toISOString().slice(0, 10);
  }
  if (args.ids) {
    console.log(shellIds());
    process.exit(0);
  }
} catch (e) {
  console.error(`seed: ${e instanceof Error ? e.message : e}`);
  process.exit(e instanceof SetupError ? 2 : 1);
}

try {
  const flights = [
    await flightDay(handler, { no: 'LA2047', to: 'SCL', dep: 540 }),
    await flightDay(handler, { no: 'IB6650', to: 'MAD', dep: 600, delayed: 35 }),
    await flightDay(handler, { no: 'LA2400', to: 'CUZ', dep: 480 }),
  ];
  const exports = Array.from({ length: 18 }, (_, n) => awb('045', n));
  for (const [n, a] of exports.entries()) await exportShipment(handler, a, flights[n % 3]!, 1 + (n % 6), n);
  const imports = Array.from({ length: 12 }, (_, n) => awb('075', n));
  for (const [n, a] of imports.entries()) await importShipment(handler, a, 2 + (n % 4), n, n === 3);
  const bags = Array.from({ length: 20 }, (_, n) => `0045${String(210000 + n).padStart(6, '0')}`);
  for (const [n, t] of bags.entries()) await bag(handler, t, flights[n % 2]!, n, n === 7 ? { reason: 'Delayed', report: 'LIMLA10234' } : undefined);
  await command(handler, '/v1/ulds/AKE12345LA/loads', 'uld-ake-load', { flight: flights[0], shipments: exports.filter((_, n) => n % 3 === 0), bags: bags.filter((_, n) => n % 2 === 0 && n !== 7), location: 'LIM/WH2', occurredAt: at(480) });
  await command(handler, '/v1/ulds/PMC40321IB/loads', 'uld-pmc-load', { flight: flights[1], shipments: exports.filter((_, n) => n % 3 === 1), location: 'LIM/WH2', occurredAt: at(500) });
  await command(handler, '/v1/ulds/AKE77001LA/status', 'uld-ake77-out', { serviceable: false, location: 'LIM/WH2', occurredAt: at(90) });
  await command(handler, '/v1/ulds/AKE77001LA/loads', 'uld-ake77-load', { flight: flights[2], bags: [bags[1]], occurredAt: at(95) }, 'uld_unserviceable');
  for (const [i, [tag, task, flight]] of [['TUG-07', 'pushback', flights[0]], ['BELT-03', 'bulk hold loading', flights[1]], ['DOLLY-21', 'cargo transfer', flights[2]]].entries()) {
    await command(handler, `/v1/equipment/${tag}/assignments`, `${tag}-assign`, { flight, task, location: 'LIM/STAND/12', occurredAt: at(400 + i * 10) });
  }
  await command(handler, '/v1/equipment/TUG-07/releases', 'TUG-07-release', { occurredAt: at(560) });
  await command(handler, '/v1/equipment/BELT-03/faults', 'BELT-03-fault', { fault: 'conveyor belt torn', location: 'LIM/STAND/14', occurredAt: at(610) });

  // The second airline: Avianca (AV, prefix 134) out of LIM, its cargo and bags, and some of its
  // cargo flown on a LATAM flight (interline). A LATAM partner sees what is on LATAM's flights, not the rest.
  const av = await flightDay(handler, { no: 'AV52', to: 'BOG', dep: 660, delayed: 20 });
  const avExports = Array.from({ length: 6 }, (_, n) => awb('134', n));
  for (const [n, a] of avExports.entries()) await exportShipment(handler, a, av, 2 + (n % 3), 20 + n, 690);
  const interline = [awb('134', 10), awb('134', 11)];
  for (const [n, a] of interline.entries()) await exportShipment(handler, a, flights[0]!, 3, 30 + n);
  const avBags = Array.from({ length: 8 }, (_, n) => `0134${String(230000 + n).padStart(6, '0')}`);
  const avLost: Record<number, { reason: string; report: string }> = { 2: { reason: 'Delayed', report: 'LIMAV20511' }, 5: { reason: 'Damaged', report: 'LIMAV20512' } };
  for (const [n, t] of avBags.entries()) await bag(handler, t, av, 40 + n, avLost[n]);
  const laBags = Array.from({ length: 6 }, (_, n) => `0045${String(220000 + n).padStart(6, '0')}`);
  for (const [n, t] of laBags.entries()) await bag(handler, t, flights[2]!, 60 + n, n === 3 ? { reason: 'Damaged', report: 'LIMLA10377' } : undefined);
  await command(handler, '/v1/ulds/PMC40555LA/loads', 'uld-pmc40555-load', { flight: flights[0], shipments: interline, location: 'LIM/WH2', occurredAt: at(485) });
  await command(handler, '/v1/ulds/PMC61234AV/loads', 'uld-pmc61234-load', { flight: av, shipments: avExports.filter((_, n) => n % 2 === 0), location: 'LIM/WH2', occurredAt: at(600) });
  await command(handler, '/v1/ulds/AKE30001AV/loads', 'uld-ake30001-load', { flight: av, bags: avBags.filter((_, n) => !avLost[n]), location: 'LIM/BHS', occurredAt: at(610) });
  // in the warehouse tonight: received for later flights, and arrived waiting for the consignee
  const waiting = [awb('045', 30), awb('045', 31), awb('045', 32), awb('134', 30), awb('134', 31)];
  for (const [n, a] of waiting.entries()) await waitingShipment(handler, a, 1 + n, n);
  const arrived = [awb('134', 40), awb('134', 41), awb('045', 40)];
  for (const [n, a] of arrived.entries()) await arrivedShipment(handler, a, n < 2 ? `AV51-${limaDate(90)}` : `LA2401-${limaDate(90)}`, 2 + n, n);

  // The second tenant: a forwarder tracking its own consolidations; it cannot see the handler's data.
  for (let n = 0; n < 6; n++) await exportShipment(forwarder, awb('057', n), flights[1]!, 2 + n, n);

  console.log(`seeded ${BASE} with the day that began ${at(0)} (data folder ${target.dataDir}): ${stats.sent} commands, ${stats.stored} stored, ${stats.replayed} replayed (already there)`);
  for (const r of stats.rejected) console.log(`  rejected on purpose: ${r}`);
  await caughtUp(['lim-handling', 'andes-forwarding']);

  const all = [...flights, av];
  console.log(`\ntenants: lim-handling (flights ${all.join(', ')}; shipments ${exports[0]}…, ${avExports[0]}…; bags ${bags[0]}…, ${avBags[0]}…), andes-forwarding (shipments ${awb('057', 0)}…)`);
  // the token lines must reach the same npm start (PORT picks it when several run) and key
  const env = target.instance
    ? (target.instance.port !== 8787 ? `PORT=${target.instance.port} ` : '')
    : `${process.env.PORT ? `PORT=${process.env.PORT} ` : ''}${process.env.TRACKTRACE_DATA_DIR ? `TRACKTRACE_DATA_DIR=${target.dataDir} ` : ''}`;
  const npmToken = `${env}npm run --silent token --`;
  const get = (token: string, path: string) => `  curl -s -H "authorization: Bearer $${token}" "${BASE}${path}"`;
  const midnight = since();
  const lines = [
    `\nthe flight ids as shell variables (the README's walkthrough uses them): eval "$(${env}npm run --silent seed -- --ids)"`,
    `  ${shellIds()}`,
    '\nthe write side (event streams):',
    `  TOKEN=$(${npmToken} --tenant lim-handling)`,
    get('TOKEN', `/v1/streams/shipment-${imports[3]}/events`),
    get('TOKEN', `/v1/streams/flight-${flights[1]}/events?direction=backward&limit=5`),
    get('TOKEN', `/v1/streams/baggage-${bags[7]}/state`),
    '\nthe read side (read models):',
    '  # current status, and the timeline (oldest first, 5 a page; pass "next" back as ?cursor=)',
    get('TOKEN', `/v1/entities/shipment/${imports[3]}`),
    get('TOKEN', `/v1/entities/flight/${flights[1]}/timeline?limit=5`),
    '  # search: bags mishandled at LIM since midnight (Lima), shipments in LIM/WH2 not delivered',
    get('TOKEN', `/v1/entities?type=baggage&status=Mishandled&location=LIM&updatedSince=${midnight}`),
    get('TOKEN', `/v1/entities?type=shipment&location=LIM/WH2&statusNot=DLV`),
    '  # what is on a flight: its ULDs with their shipments and bags, and what is loaded loose',
    get('TOKEN', `/v1/flights/${flights[0]}/manifest`),
    '  # operations: turnaround, delay, cargo_dwell, bag_accept_to_load (minutes), mishandled_per_1000',
    get('TOKEN', `/v1/metrics/operations?metric=turnaround&location=LIM&bucket=day&from=${at(0)}`),
    get('TOKEN', `/v1/metrics/operations?metric=mishandled_per_1000&location=LIM&bucket=day&from=${at(0)}`),
    '\na LATAM partner (carriers LA and 045; read only):',
    `  PARTNER=$(${npmToken} --tenant lim-handling --scope tracking:read --carriers LA,045)`,
    `  # where is my shipment ${exports[0]}?`,
    get('PARTNER', `/v1/entities/shipment/${exports[0]}`),
    get('PARTNER', `/v1/entities/shipment/${exports[0]}/timeline`),
    `  # what is on my flight ${flights[0]}? (Avianca's ${interline[0]} too: it is loaded on it)`,
    get('PARTNER', `/v1/flights/${flights[0]}/manifest`),
    '  # which of my bags were mishandled at LIM today?',
    get('PARTNER', `/v1/entities?type=baggage&status=Mishandled&location=LIM&updatedSince=${midnight}`),
    `  # Avianca's shipment on ${av} is not LATAM's to see: 404, as if it did not exist; and a partner cannot write: 403`,
    get('PARTNER', `/v1/entities/shipment/${avExports[0]}`),
    `  curl -s -X POST -H "authorization: Bearer $PARTNER" -H 'content-type: application/json' ${BASE}/v1/shipments/${exports[0]}/statuses -d '{"code":"DIS","pieces":1,"weightKg":1,"discrepancy":"MSCA"}'`,
    '\noperations (tracking:operator):',
    `  OPS=$(${npmToken} --tenant lim-handling --scope "tracking:read tracking:operator")`,
    get('OPS', '/v1/admin/projections'),
    `  curl -s -X POST -H "authorization: Bearer $OPS" ${BASE}/v1/admin/projections/status/rebuild`,
    get('OPS', '/v1/admin/projections/status'),
    get('OPS', '/v1/admin/dead-letters'),
  ];
  console.log(lines.join('\n'));
} catch (e) {
  console.error(`seed failed: ${e instanceof Error ? e.message : e}`);
  process.exit(e instanceof SetupError ? 2 : 1);
}
