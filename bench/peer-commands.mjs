// The peer's side of the `commands-*` scenarios (bench/run.sh, bench/commands.mjs --adapter emmett):
// RecordShipmentStatus handled with Emmett 0.42's CommandHandler on its PostgreSQL event store,
// behind node:http, like the peer benchmark's peer-emmett/server.mjs does for plain appends.
//
//   POST /shipments/{awb}/statuses {code, pieces, weightKg, flight?, uld?, discrepancy?, location?, occurredAt?}
//        -> 201 {streamId, version, events}
//        -> 409 {error:"conflict"} when the stream kept changing (Emmett's conflict retries ran out)
//        -> 409 {error:"rule", code, detail} when the shipment's state refuses the command
//        -> 400 {error} for a malformed air waybill or body
//   GET  /health -> 200
//
// Each command is Emmett's CommandHandler: aggregateStream (read the whole stream, fold it with
// evolve) -> decide -> appendToStream with the version read (a new shipment: STREAM_DOES_NOT_EXIST);
// on ExpectedVersionConflictError Emmett re-runs the whole handler (`retry.onVersionConflict`).
// decide/evolve are those of src/domain/shipment.ts (same rules, same state), in plain JS. The
// event: {type: "ShipmentStatusRecorded", data: {code, pieces, weightKg, …, location, occurredAt}}.
//
// It imports Emmett and pg by bare name, so bench/run.sh copies it next to the installed peer
// (peer-bench/peer-emmett/bench-commands.mjs) and runs it there.
// Env: PORT (3002), DATABASE_URL, PG_POOL_MAX (10, as the peer), CMD_RETRY: Emmett's conflict retry,
//   `true` (default: Emmett's own CommandHandlerStreamVersionConflictRetryOptions, 3 retries from
//   100 ms, factor 1.5), a number of retries with those timings, or async-retry options as JSON
//   ({"retries":20,"minTimeout":5,"factor":1.5}; retried on version conflicts only).
import http from 'node:http';
import pg from 'pg';
import { CommandHandler, isExpectedVersionConflictError } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';

const PORT = Number(process.env.PORT ?? 3002);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:55432/emmett';
const PG_POOL_MAX = Number(process.env.PG_POOL_MAX ?? 10);
const CMD_RETRY = process.env.CMD_RETRY ?? 'true';

const onVersionConflict =
  CMD_RETRY === 'true' ? true
    : /^\d+$/.test(CMD_RETRY) ? Number(CMD_RETRY)
      : { ...JSON.parse(CMD_RETRY), shouldRetryError: isExpectedVersionConflictError };

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: PG_POOL_MAX });
const eventStore = getPostgreSQLEventStore(DATABASE_URL, {
  connectionOptions: { pool },
  schema: { autoMigration: 'None' },
});
await eventStore.schema.migrate();

// --- the shipment model (src/domain/shipment.ts) -------------------------------------------------
const CODES = new Set(['BKD', 'RCS', 'FOH', 'PRE', 'MAN', 'DEP', 'TRM', 'ARR', 'RCF', 'NFD', 'AWD', 'CCD', 'DLV', 'DIS']);
const DISCREPANCIES = new Set(['MSCA', 'FDCA', 'DMCA', 'MSAW', 'FDAW', 'OFLD', 'OVCD', 'SSPD']);
const LOCATION = /^[A-Z]{3}(\/[A-Z0-9-]{1,16}){0,3}$/;

class Rejected extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const initialState = () => ({ lastCode: null, piecesReceived: 0, piecesDelivered: 0, received: {}, delivered: false });

const evolve = (state, event) => {
  if (event.type !== 'ShipmentStatusRecorded') return state;
  const d = event.data;
  const next = { ...state, lastCode: d.code };
  if (d.code === 'RCS' || d.code === 'RCF') {
    next.piecesReceived = Math.max(state.piecesReceived, d.pieces);
    if (d.location) {
      const airport = d.location.slice(0, 3);
      next.received = { ...state.received, [airport]: Math.max(state.received[airport] ?? 0, d.pieces) };
    }
  }
  if (d.code === 'DLV') {
    next.piecesDelivered = state.piecesDelivered + d.pieces;
    next.delivered = true;
  }
  return next;
};

const decide = (cmd, state) => {
  const d = cmd.data;
  if (state.delivered && d.code !== 'DIS' && !(d.code === 'DLV' && state.piecesDelivered < state.piecesReceived))
    throw new Rejected('status_after_delivery', `after DLV only DIS (or the rest of a split delivery) is accepted, not ${d.code}`);
  if (d.code === 'DLV') {
    if (!d.location) throw new Rejected('location_required', 'a delivery names where it happened');
    const airport = d.location.slice(0, 3);
    const receivedHere = state.received[airport];
    if (receivedHere === undefined) throw new Rejected('delivery_before_receipt', `the shipment was not received (RCS or RCF) at ${airport}`);
    if (state.piecesDelivered + d.pieces > receivedHere)
      throw new Rejected('delivered_exceeds_received', `${state.piecesDelivered + d.pieces} pieces delivered would exceed the ${receivedHere} received at ${airport}`);
  }
  return { type: 'ShipmentStatusRecorded', data: d };
};

const handle = CommandHandler({ evolve, initialState, retry: { onVersionConflict } });

// --- HTTP -------------------------------------------------------------------------------------------
const json = (res, status, body) => {
  const text = JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? Number(v) : v));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};
const readBody = (req) =>
  new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/** The body as the command's data, or a message saying what is wrong with it. */
const parseCommand = (b) => {
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return 'the body is a JSON object';
  const { code, pieces, weightKg, flight, uld, discrepancy, location, occurredAt, ...rest } = b;
  if (Object.keys(rest).length) return `unknown fields: ${Object.keys(rest).join(', ')}`;
  if (!CODES.has(code)) return 'code';
  if (!Number.isInteger(pieces) || pieces < 0 || pieces > 100_000) return 'pieces';
  if (typeof weightKg !== 'number' || weightKg < 0 || weightKg > 1_000_000) return 'weightKg';
  if (discrepancy !== undefined && !DISCREPANCIES.has(discrepancy)) return 'discrepancy';
  if ((code === 'DIS') !== (discrepancy !== undefined)) return 'a DIS status (only) names its discrepancy';
  if (location !== undefined && !(typeof location === 'string' && LOCATION.test(location))) return 'location';
  if (occurredAt !== undefined && Number.isNaN(Date.parse(occurredAt))) return 'occurredAt';
  return {
    code, pieces, weightKg,
    ...(flight !== undefined ? { flight: String(flight) } : {}),
    ...(uld !== undefined ? { uld: String(uld) } : {}),
    ...(discrepancy !== undefined ? { discrepancy } : {}),
    location: location ?? null,
    occurredAt: occurredAt ?? new Date().toISOString(),
  };
};

// air waybill: 3-digit prefix, 7-digit serial, check digit = serial mod 7
const AWB = /^\/shipments\/(\d{3})-(\d{7})(\d)\/statuses\/?$/;

const server = http.createServer(async (req, res) => {
  try {
    const url = req.url ?? '/';
    if (url === '/health') return json(res, 200, { ok: true });
    const m = AWB.exec(url.split('?')[0]);
    if (!m) return json(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return json(res, 405, { error: 'method not allowed' });
    if (Number(m[2]) % 7 !== Number(m[3])) return json(res, 400, { error: 'invalid air waybill check digit' });
    let body;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return json(res, 400, { error: 'invalid json' });
    }
    const data = parseCommand(body);
    if (typeof data === 'string') return json(res, 400, { error: `invalid body: ${data}` });
    const streamId = `shipment-${m[1]}-${m[2]}${m[3]}`;
    try {
      const r = await handle(eventStore, streamId, (state) => decide({ type: 'RecordShipmentStatus', data }, state));
      return json(res, 201, { streamId, version: r.nextExpectedStreamVersion, events: r.newEvents });
    } catch (error) {
      if (error instanceof Rejected) return json(res, 409, { error: 'rule', code: error.code, detail: error.message });
      if (isExpectedVersionConflictError(error)) return json(res, 409, { error: 'conflict' });
      throw error;
    }
  } catch (error) {
    console.error(error);
    if (!res.headersSent) json(res, 500, { error: String(error?.message ?? error) });
    else res.destroy();
  }
});
server.keepAliveTimeout = 65_000;
server.listen(PORT, '127.0.0.1', () =>
  console.log(`peer-commands listening on http://127.0.0.1:${PORT} (pool max ${PG_POOL_MAX}, conflict retry ${JSON.stringify(onVersionConflict)})`),
);

const shutdown = async () => {
  setTimeout(() => process.exit(0), 2000).unref();
  server.close();
  server.closeAllConnections();
  await eventStore.close();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
