// The Worker's queue handler. Queues are told apart by name: `…-dlq` holds dead letters, `…-rebuild`
// drives rebuilds, any other is the events queue. Delivery is at least once and unordered; the
// projector makes applying idempotent.
import { z } from 'zod';
import { nearDatabase, pooledDb } from '../db/pool';
import type { Committed } from '../outbox/publish';
import { isProjectionName } from './generations';

const committedSchema = z.strictObject({
  tenantId: z.string().min(1).max(64),
  streamId: z.string().min(1).max(80),
  fromVersion: z.int().min(1),
  toVersion: z.int().min(1),
});
const rebuildSchema = z.strictObject({ projection: z.string().refine(isProjectionName), generation: z.int().min(1) });
export type RebuildMessage = { projection: string; generation: number };

/** The one projector, placed near the database like the pool shards (DB_POOL_LOCATION). */
export const projector = (env: Env) => env.PROJECTOR.get(env.PROJECTOR.idFromName('projector'), nearDatabase(env));

const RETRY_DELAY_S = 2;

export async function queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue.endsWith('-dlq')) return keepDeadLetters(batch, env);
  if (batch.queue.endsWith('-rebuild')) return rebuild(batch, env);
  return applyCommitted(batch, env);
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
    console.warn('consumer: batch not applied; trying its messages one by one', e instanceof Error ? e.message : e);
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
      console.warn('consumer: rebuild step failed; retrying', e instanceof Error ? e.message : e);
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
    console.warn('consumer: dead letters not stored; retrying', e instanceof Error ? e.message : e);
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
