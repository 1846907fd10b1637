// `npm run seed` (with `npm start` running): a realistic day at Lima (LIM) for two tenants, sent
// through the command routes. Every command carries an Idempotency-Key, so seeding twice stores
// nothing twice: the second run is answered with the first run's events.
import { signDevToken } from './devKey.ts';

const BASE = process.env.TRACKTRACE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`;
// The working day began 14 hours ago; flight ids carry the local (Lima, UTC-5) departure date.
const day = new Date(Date.now() - 14 * 3600_000);
const date = day.toISOString().slice(0, 10); // keys the seed's idempotency keys
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
  const problem = JSON.parse(text) as { code?: string };
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

async function exportShipment(token: string, awbId: string, flight: string, pieces: number, n: number) {
  const p = `/v1/shipments/${awbId}/statuses`;
  const w = pieces * 12.5;
  await command(token, p, `${awbId}-bkd`, { code: 'BKD', pieces, weightKg: w, flight, location: 'LIM', occurredAt: at(30 + n) });
  await command(token, p, `${awbId}-rcs`, { code: 'RCS', pieces, weightKg: w, location: 'LIM/WH2', occurredAt: at(120 + n * 3) });
  await command(token, p, `${awbId}-foh`, { code: 'FOH', pieces, weightKg: w, location: 'LIM/WH2/B-14', occurredAt: at(125 + n * 3) });
  await command(token, p, `${awbId}-pre`, { code: 'PRE', pieces, weightKg: w, flight, location: 'LIM/WH2', occurredAt: at(300 + n * 2) });
  await command(token, p, `${awbId}-man`, { code: 'MAN', pieces, weightKg: w, flight, location: 'LIM', occurredAt: at(360 + n) });
  await command(token, p, `${awbId}-dep`, { code: 'DEP', pieces, weightKg: w, flight, location: 'LIM', occurredAt: at(500) });
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

async function bag(token: string, tag: string, flight: string, n: number, lost?: boolean) {
  const p = `/v1/baggage/${tag}`;
  await command(token, `${p}/tag`, `${tag}-tag`, { passengerRef: `PAX-${(n * 7919).toString(36).toUpperCase()}`, flights: [flight], occurredAt: at(200 + n) });
  for (const [i, point] of ['Acceptance', 'Screened', 'Sorted', 'Loaded'].entries()) {
    if (lost && point === 'Loaded') break;
    await command(token, `${p}/scans`, `${tag}-${point}`, { point, flight, location: i === 3 ? 'LIM/STAND/12' : 'LIM/BHS', occurredAt: at(200 + n + i * 15) });
  }
  if (lost) await command(token, `${p}/mishandlings`, `${tag}-mh`, { reason: 'Delayed', report: 'LIMLA10234', location: 'LIM', occurredAt: at(420) });
}

const handler = await signDevToken({ tenant: 'lim-handling', scope: 'tracking:read tracking:write', subject: 'seed:lim-handling' });
const forwarder = await signDevToken({ tenant: 'andes-forwarding', scope: 'tracking:read tracking:write', subject: 'seed:andes-forwarding' });

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
  for (const [n, t] of bags.entries()) await bag(handler, t, flights[n % 2]!, n, n === 7);
  await command(handler, '/v1/ulds/AKE12345LA/loads', 'uld-ake-load', { flight: flights[0], shipments: exports.filter((_, n) => n % 3 === 0), bags: bags.filter((_, n) => n % 2 === 0 && n !== 7), location: 'LIM/WH2', occurredAt: at(480) });
  await command(handler, '/v1/ulds/PMC40321IB/loads', 'uld-pmc-load', { flight: flights[1], shipments: exports.filter((_, n) => n % 3 === 1), location: 'LIM/WH2', occurredAt: at(500) });
  await command(handler, '/v1/ulds/AKE77001LA/status', 'uld-ake77-out', { serviceable: false, location: 'LIM/WH2', occurredAt: at(90) });
  await command(handler, '/v1/ulds/AKE77001LA/loads', 'uld-ake77-load', { flight: flights[2], bags: [bags[1]], occurredAt: at(95) }, 'uld_unserviceable');
  for (const [i, [tag, task, flight]] of [['TUG-07', 'pushback', flights[0]], ['BELT-03', 'bulk hold loading', flights[1]], ['DOLLY-21', 'cargo transfer', flights[2]]].entries()) {
    await command(handler, `/v1/equipment/${tag}/assignments`, `${tag}-assign`, { flight, task, location: 'LIM/STAND/12', occurredAt: at(400 + i * 10) });
  }
  await command(handler, '/v1/equipment/TUG-07/releases', 'TUG-07-release', { occurredAt: at(560) });
  await command(handler, '/v1/equipment/BELT-03/faults', 'BELT-03-fault', { fault: 'conveyor belt torn', location: 'LIM/STAND/14', occurredAt: at(610) });

  // The second tenant: a forwarder tracking its own consolidations; it cannot see the handler's data.
  for (let n = 0; n < 6; n++) await exportShipment(forwarder, awb('057', n), flights[1]!, 2 + n, n);

  console.log(`seeded ${BASE}: ${stats.sent} commands, ${stats.stored} stored, ${stats.replayed} replayed (already there)`);
  for (const r of stats.rejected) console.log(`  rejected on purpose: ${r}`);
  console.log(`\ntenants: lim-handling (flights ${flights.join(', ')}; shipments ${exports[0]}…; bags ${bags[0]}…), andes-forwarding (shipments ${awb('057', 0)}…)`);
  console.log(`try:\n  TOKEN=$(npm run --silent token -- --tenant lim-handling)`);
  console.log(`  curl -s -H "authorization: Bearer $TOKEN" ${BASE}/v1/streams/shipment-${imports[3]}/events`);
  console.log(`  curl -s -H "authorization: Bearer $TOKEN" "${BASE}/v1/streams/flight-${flights[1]}/events?direction=backward&limit=5"`);
  console.log(`  curl -s -H "authorization: Bearer $TOKEN" ${BASE}/v1/streams/baggage-${bags[7]}/state`);
} catch (e) {
  console.error(`seed failed: ${e instanceof Error ? e.message : e}\n(is the API running? start it with npm start)`);
  process.exit(1);
}
