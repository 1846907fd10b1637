// The Worker's queue handler. Queues are told apart by name: `…-dlq` holds dead letters, `…-rebuild`
// drives rebuilds, any other is the events queue. Delivery is at least once and unordered; the
// projector makes applying idempotent.
import { z } from 'zod';
import { nearDatabase, pooledDb } from '../db/pool';
import { flushSoon, inc, observe } from '../metrics/registry';
import { errorText, log } from '../ops/log';
import { recordSpan } from '../ops/otlp';
import { sampledChild, traceIds } from '../ops/trace';
import type { Committed } from '../outbox/publish';
import { isProjectionName } from './generations';

// Messages are expand-only like the schema: during a gradual deploy or after a rollback, a version
// consumes what another produced, so unknown fields are ignored and optional ones never refuse a
// message (a refused message is a dead letter). A new field is read once every consumer tolerates it.
const committedSchema = z.object({
  tenantId: z.string().min(1).max(64),
  streamId: z.string().min(1).max(80),
  fromVersion: z.int().min(1),
  toVersion: z.int().min(1),
  traces: z.array(z.string().max(55)).max(16).optional().catch(undefined),
});
const rebuildSchema = z.object({ projection: z.string().refine(isProjectionName), generation: z.int().min(1) });
export type RebuildMessage = { projection: string; generation: number };

/** The one projector, placed near the database like the pool shards (DB_POOL_LOCATION). */
export const projector = (env: Env) => env.PROJECTOR.get(env.PROJECTOR.idFromName('projector'), nearDatabase(env));

const RETRY_DELAY_S = 2;

/** What a batch did, for its log line and metrics (a message kept as a dead letter is acked). */
type Tally = { acked: number; retried: number };

export async function queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const startMs = Date.now();
  const tally: Tally = { acked: 0, retried: 0 };
  const counted = countOutcomes(batch, tally);
  let error: string | undefined;
  try {
    if (batch.queue.endsWith('-dlq')) await keepDeadLetters(counted, env);
    else if (batch.queue.endsWith('-rebuild')) await rebuild(counted, env);
    else await applyCommitted(counted, env);
  } catch (e) {
    error = errorText(e);
    throw e;
  } finally {
    report(env, batch, tally, startMs, error);
  }
}

/** The batch with each message's ack and retry counted into `tally`. */
function countOutcomes(batch: MessageBatch<unknown>, tally: Tally): MessageBatch<unknown> {
  const messages = batch.messages.map((m): Message<unknown> => ({
    id: m.id, timestamp: m.timestamp, body: m.body, attempts: m.attempts,
    ack: () => (tally.acked++, m.ack()),
    retry: (o?: QueueRetryOptions) => (tally.retried++, m.retry(o)),
  }));
  return { queue: batch.queue, metadata: batch.metadata, messages, ackAll: () => messages.forEach((m) => m.ack()), retryAll: (o?: QueueRetryOptions) => messages.forEach((m) => m.retry(o)) };
}

/** One JSON line per batch, with the trace ids its messages carry, and the batch's spans and metrics. */
function report(env: Env, batch: MessageBatch<unknown>, tally: Tally, startMs: number, error: string | undefined) {
  const endMs = Date.now();
  const traces = batch.messages.flatMap((m) => ((m.body as { traces?: unknown })?.traces as string[] | undefined) ?? []).filter((t) => typeof t === 'string');
  log(env, error ? 'error' : 'info', 'queue batch', {
    queue: batch.queue, messages: batch.messages.length, ...tally, durationMs: endMs - startMs, traceIds: traceIds(traces), ...(error ? { error } : {}),
  });
  for (const [outcome, n] of Object.entries(tally)) if (n) inc(env, 'tt_queue_messages_total', { queue: batch.queue, outcome }, n);
  observe(env, 'tt_consumer_batch_duration_seconds', { queue: batch.queue }, (endMs - startMs) / 1000);
  // no waitUntil: Queues acknowledge a batch once its waitUntil promises settle, so waiting for a flush
  // or an export would hold the next batch back (projection lag). A request arms them again if needed.
  for (const t of new Set(traces)) {
    const span = sampledChild(t);
    if (span) recordSpan(env, true, { ctx: span, name: `queue ${batch.queue}`, kind: 5, startMs, endMs, attrs: { 'messaging.batch.message_count': batch.messages.length } });
  }
  flushSoon(env);
}

async function applyCommitted(batch: MessageBatch<unknown>, env: Env) {
  const valid: { msg: Message<unknown>; body: Committed }[] = [];
  for (const msg of batch.messages) {
    const parsed = committedSchema.safeParse(msg.body);
    if (parsed.success) valid.push({ msg, body: parsed.data });
    else {
      // no retry can fix a malformed message: it goes straight to the dead letters, never dropped
      await storeDeadLetter(env, batch.queue, msg);
      msg.ack();
    }
  }
  if (!valid.length) return;
  try {
    const missing = await projector(env).apply(valid.map((v) => v.body));
    const retry = new Set(missing.map((m) => `${m.tenantId}\n${m.streamId}`));
    for (const { msg, body } of valid) {
      if (retry.has(`${body.tenantId}\n${body.streamId}`)) msg.retry({ delaySeconds: RETRY_DELAY_S });
      else msg.ack();
    }
  } catch (e) {
    log(env, 'warn', 'consumer: batch not applied; trying its messages one by one', { error: errorText(e) });
    // one poison message must not take its batch-mates to the dead letters with it
    for (const { msg, body } of valid) {
      try {
        const missing = await projector(env).apply([body]);
        if (missing.length) msg.retry({ delaySeconds: RETRY_DELAY_S });
        else msg.ack();
      } catch {
        msg.retry({ delaySeconds: RETRY_DELAY_S });
      }
    }
  }
}

async function rebuild(batch: MessageBatch<unknown>, env: Env) {
  for (const msg of batch.messages) {
    const parsed = rebuildSchema.safeParse(msg.body);
    if (!parsed.success) {
      await storeDeadLetter(env, batch.queue, msg);
      msg.ack();
      continue;
    }
    try {
      const { projection, generation } = parsed.data;
      const step = await projector(env).rebuildStep(projection as never, generation);
      // the next step is a new message: each delivery stays short, and a crash resumes at the checkpoint
      if (!step.done) await env.REBUILD_QUEUE.send(parsed.data, { contentType: 'json' });
      msg.ack();
    } catch (e) {
      log(env, 'warn', 'consumer: rebuild step failed; retrying', { error: errorText(e) });
      msg.retry({ delaySeconds: RETRY_DELAY_S });
    }
  }
}

async function keepDeadLetters(batch: MessageBatch<unknown>, env: Env) {
  try {
    for (const msg of batch.messages) {
      await storeDeadLetter(env, batch.queue.replace(/-dlq$/, ''), msg);
      msg.ack();
    }
  } catch (e) {
    log(env, 'warn', 'consumer: dead letters not stored; retrying', { error: errorText(e) });
    batch.retryAll({ delaySeconds: RETRY_DELAY_S });
  }
}

/** Keeps a message that cannot be applied where operators see and replay it (src/admin/deadLetters.ts). */
async function storeDeadLetter(env: Env, queue: string, msg: Message<unknown>) {
  const body = msg.body ?? null;
  const tenantId = typeof (body as { tenantId?: unknown })?.tenantId === 'string' ? (body as { tenantId: string }).tenantId.slice(0, 64) : null;
  await pooledDb(env, 'dead-letters').query(
    `insert into dead_letters (message_id, queue, tenant_id, body, attempts) values ($1, $2, $3, $4::jsonb, $5)
     on conflict (message_id) do update set attempts = dead_letters.attempts + excluded.attempts, replayed_at = null`,
    [msg.id, queue, tenantId, JSON.stringify(body), msg.attempts],
  );
}
