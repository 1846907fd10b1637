import { Hono, type Context } from 'hono';
import type { z } from 'zod';
import { checkEvent } from '../domain/catalog';
import { parseStreamId } from '../domain/identifiers';
import type { AppEnv } from '../env';
import type { AppendRequest, AppendResult, Archived, ReadResult, StateResult, StreamInfo, StreamKey } from '../eventStore/types';
import type { Principal } from '../http/auth';
import { requireScope } from '../http/auth';
import { jsonBody } from '../http/body';
import { ApiError, problemBody } from '../http/problem';
import { ifMatchVersion, notModified } from '../http/preconditions';
import { fieldErrors, validate } from '../http/validate';
import {
  appendBodySchema, batchBodySchema, batchItemSchema, MAX_EVENTS_PER_BATCH, readQuerySchema, streamParamSchema,
} from './schemas';
import { traceparentOf } from '../ops/trace';
import { assertVisible } from '../projections/visibility';
import type { StreamObject } from './streamObject';
import { errorText, log } from '../ops/log';

const MiB = 1024 * 1024;

export const streamRoutes = new Hono<AppEnv>();

function streamKey(principal: Principal, streamId: string): StreamKey {
  const parsed = parseStreamId(streamId);
  if (!parsed.ok) throw new ApiError(400, 'invalid_stream_id', parsed.message, { rule: parsed.rule });
  return { tenantId: principal.tenantId, streamId, entityType: parsed.ref.entityType };
}

/** A read's stream, checked against partner rules (a partner gets 404 for what is not theirs). */
async function readableStream(c: Context<AppEnv>, streamId: string): Promise<StreamKey> {
  const key = streamKey(c.get('principal'), streamId);
  await assertVisible(c, key.entityType, streamId.slice(key.entityType.length + 1), streamNotFound(streamId));
  return key;
}

// Tenant first in the name: tenants never share an object, whatever ids they send.
const streamObject = (env: Env, key: StreamKey) =>
  (env.STREAM as unknown as DurableObjectNamespace<StreamObject>).get(env.STREAM.idFromName(`${key.tenantId}/${key.streamId}`));

type Stub = ReturnType<typeof streamObject>;

/**
 * Calls the stream's object. A call that throws (object reset, could not start) is tried once more
 * on a fresh stub when `safe` (reads, and appends, whose event ids make a repeat harmless) and the
 * object is not overloaded; otherwise, or again, it is a 503.
 */
export async function callStream<T>(env: Env, key: StreamKey, safe: boolean, call: (stub: Stub) => unknown): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await call(streamObject(env, key))) as T;
    } catch (e) {
      const overloaded = (e as { overloaded?: boolean })?.overloaded === true;
      if (!(safe && !overloaded && attempt < 2)) {
        log(env, 'error', 'stream object call failed', { tenant: key.tenantId, streamId: key.streamId, error: errorText(e) });
        throw new ApiError(503, 'stream_unavailable', 'the stream could not be reached; retry (with the same event ids)', {}, { 'retry-after': '1' });
      }
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Correlation id from X-Correlation-Id (a UUID) or a new one; echoed on the response. */
export function correlationId(c: Context<AppEnv>): string {
  const given = c.req.header('x-correlation-id');
  if (given !== undefined && !UUID.test(given)) throw new ApiError(400, 'invalid_header', 'X-Correlation-Id must be a UUID');
  const id = given ?? crypto.randomUUID();
  c.header('x-correlation-id', id);
  return id;
}

/** Who, from where and in which flow: the server's context, stored with every event. */
export function eventMetadata(c: Context<AppEnv>, correlation: string, causationId: string | null) {
  const principal = c.get('principal');
  const source = c.req.header('x-source')?.slice(0, 128) ?? null;
  return { tenantId: principal.tenantId, actor: principal.subject, source, correlationId: correlation, causationId };
}

/** Checks the events against the catalog (422 naming the field) and stamps their context. */
function appendRequest(
  c: Context<AppEnv>,
  key: StreamKey,
  body: z.infer<typeof appendBodySchema>,
  expected: AppendRequest['expected'],
  correlation: string,
): AppendRequest {
  const now = new Date().toISOString();
  return {
    expected,
    events: body.events.map((e, i) => {
      const checked = checkEvent(key.entityType, e);
      if (!checked.ok) {
        const errors = (checked.errors ?? [{ path: 'type', message: checked.message }]).map((x) => ({ ...x, path: `events.${i}.${x.path}` }));
        throw new ApiError(422, checked.code, `events.${i}: ${checked.message}`, { errors });
      }
      const causationId = (e.metadata?.causationId as string | undefined) ?? null;
      return {
        id: e.id?.toLowerCase() ?? crypto.randomUUID(),
        type: e.type,
        schemaVersion: checked.schemaVersion,
        occurredAt: e.occurredAt ?? now,
        location: e.location ?? null,
        data: e.data,
        // the server's context wins over anything the client put under the same names
        metadata: { ...e.metadata, ...eventMetadata(c, correlation, causationId) },
        correlationId: correlation,
        causationId,
      };
    }),
  };
}

const streamNotFound = (streamId: string) => new ApiError(404, 'stream_not_found', `no stream ${streamId}`);

/** An object's answer for an existing stream, or the 404/503 problem. */
function found<R extends { status: number }>(r: R | { status: 404 } | Archived | { status: 503; code: string; detail: string }, streamId: string): Exclude<R, { status: 404 | 410 | 503 }> {
  if (r.status === 404) throw streamNotFound(streamId);
  if (r.status === 410) throw streamArchived(streamId, (r as Archived).archivedAt);
  if (r.status === 503) {
    const u = r as { code: string; detail: string };
    throw new ApiError(503, u.code, u.detail, {}, { 'retry-after': '1' });
  }
  return r as Exclude<R, { status: 404 | 410 | 503 }>;
}

/** Retention moved the stream's events to the archive (src/retention/): gone, for reads and writes alike. */
export const streamArchived = (streamId: string, archivedAt: string) =>
  new ApiError(410, 'stream_archived', `stream ${streamId} passed its retention and was archived at ${archivedAt}; it is not read or written any more`, { archivedAt });

type ResultBody = { status: number; body: Record<string, unknown> };

function resultBody(c: Context<AppEnv>, streamId: string, r: AppendResult): ResultBody {
  switch (r.status) {
    case 200:
    case 201:
      return { status: r.status, body: { streamId, fromVersion: r.fromVersion, toVersion: r.toVersion, positions: r.positions } };
    case 409: {
      const detail = r.code === 'wrong_expected_version'
        ? `the stream is at version ${r.currentVersion}, which is not what the request expected`
        : r.eventIds?.length
          ? 'an event id of this request is already stored with other content or on another stream'
          : 'some event ids of this request are already stored and others are not: send the stored events as they were, or only the new ones';
      return { status: 409, body: problemBody(409, r.code, detail, c.get('requestId'), { currentVersion: r.currentVersion, ...(r.eventIds ? { eventIds: r.eventIds } : {}) }) };
    }
    case 410: {
      const e = streamArchived(streamId, r.archivedAt);
      return { status: 410, body: problemBody(410, e.code, e.message, c.get('requestId'), e.extra) };
    }
    case 422:
    case 503:
      return { status: r.status, body: problemBody(r.status, r.code, r.detail, c.get('requestId')) };
  }
}

function send(c: Context<AppEnv>, { status, body }: ResultBody): Response {
  const problemType = status >= 400;
  if (status === 503) c.header('retry-after', '1');
  return c.body(JSON.stringify(body), status as 200, {
    'content-type': problemType ? 'application/problem+json' : 'application/json',
  });
}

streamRoutes.post(
  '/v1/streams/:streamId/events',
  requireScope('tracking:write'),
  validate('param', streamParamSchema),
  jsonBody(MiB),
  validate('json', appendBodySchema),
  async (c) => {
    const { streamId } = c.req.valid('param');
    const body = c.req.valid('json');
    const key = streamKey(c.get('principal'), streamId);
    const ifMatch = ifMatchVersion(c);
    if (ifMatch !== undefined && body.expectedVersion !== undefined && body.expectedVersion !== ifMatch) {
      throw new ApiError(400, 'conflicting_expected_version', 'If-Match and expectedVersion disagree');
    }
    const req = appendRequest(c, key, body, ifMatch ?? body.expectedVersion ?? 'any', correlationId(c));
    const [result] = await callStream<AppendResult[]>(c.env, key, true, (o) => o.append(key, [req], traceparentOf(c.get('trace'))));
    if (result!.status === 201 || result!.status === 200) c.header('etag', `"${result!.toVersion}"`);
    return send(c, resultBody(c, streamId, result!));
  },
);

streamRoutes.get(
  '/v1/streams/:streamId/events',
  requireScope('tracking:read'),
  validate('param', streamParamSchema),
  validate('query', readQuerySchema),
  async (c) => {
    const { streamId } = c.req.valid('param');
    const q = c.req.valid('query');
    const key = await readableStream(c, streamId);
    const r = found(await callStream<ReadResult>(c.env, key, true, (o) => o.read(key, q)), streamId);
    const unchanged = notModified(c, `"${r.version}"`);
    if (unchanged) return unchanged;
    // versions are contiguous 1..version, so the page's last version and the next page follow
    let next: string | null = null;
    const base = `/v1/streams/${streamId}/events?limit=${q.limit}&direction=${q.direction}`;
    if (q.direction === 'forward') {
      const from = Math.max(q.fromVersion ?? 1, 1);
      const last = from + q.limit - 1;
      if (last < r.version) next = `${base}&fromVersion=${last + 1}`;
    } else {
      const from = Math.min(q.fromVersion ?? r.version, r.version);
      const last = from - q.limit + 1;
      if (last > 1) next = `${base}&fromVersion=${last - 1}`;
    }
    return c.body(
      `{"streamId":${JSON.stringify(streamId)},"version":${r.version},"events":${r.events},"next":${JSON.stringify(next)}}`,
      200,
      { 'content-type': 'application/json' },
    );
  },
);

streamRoutes.get('/v1/streams/:streamId', requireScope('tracking:read'), validate('param', streamParamSchema), async (c) => {
  const { streamId } = c.req.valid('param');
  const key = await readableStream(c, streamId);
  const r = found(await callStream<StreamInfo>(c.env, key, true, (o) => o.info(key)), streamId);
  return notModified(c, `"${r.info.version}"`) ?? c.json(r.info);
});

streamRoutes.get('/v1/streams/:streamId/state', requireScope('tracking:read'), validate('param', streamParamSchema), async (c) => {
  const { streamId } = c.req.valid('param');
  const key = await readableStream(c, streamId);
  const r = found(await callStream<StateResult>(c.env, key, true, (o) => o.state(key)), streamId);
  const unchanged = notModified(c, `"${r.version}"`);
  if (unchanged) return unchanged;
  const head = JSON.stringify({ streamId, entityType: key.entityType, version: r.version, snapshotVersion: r.snapshotVersion, replayedEvents: r.replayedEvents });
  return c.body(`${head.slice(0, -1)},"state":${r.state}}`, 200, { 'content-type': 'application/json' });
});

// Late uploads from site buffers: one result per item in request order; items of one stream go to
// its object together and in order, different streams run concurrently.
streamRoutes.post(
  '/v1/events:batch',
  requireScope('tracking:write'),
  jsonBody(5 * MiB),
  validate('json', batchBodySchema),
  async (c) => {
    const { items } = c.req.valid('json');
    const correlation = correlationId(c);
    const results: ResultBody[] = new Array(items.length);
    const byStream = new Map<string, { key: StreamKey; indexes: number[]; requests: AppendRequest[] }>();
    let total = 0;
    items.forEach((raw, i) => {
      const item = batchItemSchema.safeParse(raw);
      const streamId = typeof (raw as { streamId?: unknown })?.streamId === 'string' ? (raw as { streamId: string }).streamId : null;
      if (!item.success) {
        const errors = fieldErrors(item.error.issues);
        results[i] = { status: 400, body: { streamId, ...problemBody(400, 'validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), c.get('requestId'), { errors }) } };
        return;
      }
      total += item.data.events.length;
      const key = streamKey(c.get('principal'), item.data.streamId);
      let request: AppendRequest;
      try {
        request = appendRequest(c, key, item.data, item.data.expectedVersion ?? 'any', correlation);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        results[i] = { status: e.status, body: { streamId, ...problemBody(e.status, e.code, e.message, c.get('requestId'), e.extra) } };
        return;
      }
      const group = byStream.get(key.streamId) ?? { key, indexes: [], requests: [] };
      group.indexes.push(i);
      group.requests.push(request);
      byStream.set(key.streamId, group);
    });
    if (total > MAX_EVENTS_PER_BATCH) {
      throw new ApiError(413, 'too_many_events', `a batch carries at most ${MAX_EVENTS_PER_BATCH} events; this one has ${total}`);
    }
    await Promise.all(
      [...byStream.values()].map(async ({ key, indexes, requests }) => {
        const out = await callStream<AppendResult[]>(c.env, key, true, (o) => o.append(key, requests, traceparentOf(c.get('trace'))));
        out.forEach((r, j) => (results[indexes[j]!] = resultBody(c, key.streamId, r)));
      }),
    );
    c.set('itemStatuses', results.map((r) => r.status));
    return c.json({
      items: results.map((r, i) => ({ streamId: (r.body.streamId as string | undefined) ?? (items[i] as { streamId?: string } | null)?.streamId ?? null, ...r.body, status: r.status })),
    });
  },
);
