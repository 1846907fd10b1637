// The one writer of the read models. Live batches from the events queue, the outbox sweep and
// rebuild pages all run here one at a time, each in its own short transaction on a warm
// connection: no two writers race on a read-model row, and a rebuild's registration and switch
// never interleave with a live batch.
import { Client } from '@neondatabase/serverless';
import { DurableObject } from 'cloudflare:workers';
import { configureDriver, type Db } from '../db/client';
import { errorText, log } from '../ops/log';
import type { Committed } from '../outbox/publish';
import { applyTargets, mergeTargets, type Generation, type Target, type TenantChange } from './apply';
import { liveGenerations, rebuildPage, stalledRebuilds, startRebuild } from './generations';
import type { ProjectionName } from './types';

const SWEEP_BATCH = 500;
/** A rebuild step runs ~3 s; one quiet for this long lost its queue message. */
const REBUILD_STALL_S = 30;
/** Publishing to a subscription hub: attempts (backoff from 250 ms) and batches waiting at most. */
const HUB_RETRIES = 4;
const HUB_QUEUE_MAX = 1_000;

export class Projector extends DurableObject<Env> {
  private chain: Promise<unknown> = Promise.resolve();
  private client: Client | null = null;
  private sweepAfterS = Number(this.env.OUTBOX_SWEEP_S || 10);
  // The generations live batches write. Only this object changes them (rebuild start and switch),
  // so memory stays right once read; dropped whenever a rebuild step runs or a transaction fails.
  private gens: Generation[] | null = null;

  private async generations(db: Db): Promise<Generation[]> {
    return (this.gens ??= await liveGenerations(db));
  }

  /** Runs `fn` after everything queued before it. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }

  private async open(): Promise<Client> {
    if (this.client) return this.client;
    configureDriver(this.env);
    const c = new Client({ connectionString: this.env.DATABASE_URL, statement_timeout: 30_000 });
    c.on('error', () => c === this.client && (this.client = null));
    c.on('end', () => c === this.client && (this.client = null));
    await c.connect();
    this.client = c;
    return c;
  }

  /** One transaction; any failure rolls it back (a broken connection is dropped and reopened next time). */
  private tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      const c = await this.open();
      const db: Db = { query: async (text, params) => (await c.query(text, params)).rows };
      await c.query('begin');
      try {
        const out = await fn(db);
        await c.query('commit');
        return out;
      } catch (e) {
        this.gens = null;
        await c.query('rollback').catch(() => {
          this.client = null;
          c.end().catch(() => {});
        });
        throw e;
      }
    });
  }

  /** Applies committed versions to every live generation. Returns the targets not in the store yet. */
  async apply(messages: Committed[]): Promise<Target[]> {
    this.ensureSweeping().catch(() => {}); // best effort: the next batch or request arms it
    return this.tx(async (db) => {
      const targets = messages.map((m) => ({ tenantId: m.tenantId, streamId: m.streamId, toVersion: m.toVersion }));
      const { missing, changes } = await applyTargets(db, await this.generations(db), targets);
      await this.settleOutbox(db, targets, missing);
      return { missing, changes };
    }).then(({ missing, changes }) => {
      this.publish(changes, tracesByTenant(messages)); // committed: live subscribers may hear of it
      return missing;
    });
  }

  // --- live subscriptions (src/subscriptions/hub.ts) -----------------------------------------------
  // After a commit, each tenant's changes go to its hub, in commit order, off the transaction chain:
  // a slow or failing hub never holds the projection up. A hub that stays down past the retries loses
  // those changes; its next publish then carries `gap`, and its subscribers get a resync (never a
  // silent gap). Not covered: a projector reset between a commit and its publish (changes lost
  // without a resync marker; subscribers still converge on the next change of each entity).
  private hubChain: Promise<void> = Promise.resolve();
  private hubPending = 0;
  private hubGap = new Set<string>();

  private publish(changes: TenantChange[], traces = new Map<string, string[]>()) {
    if (!changes.length || !this.env.SUBSCRIPTION_HUB) return;
    const byTenant = new Map<string, TenantChange['change'][]>();
    for (const { tenantId, change } of changes) (byTenant.get(tenantId) ?? byTenant.set(tenantId, []).get(tenantId)!).push(change);
    for (const [tenantId, list] of byTenant) {
      if (this.hubPending >= HUB_QUEUE_MAX) {
        this.hubGap.add(tenantId); // too far behind: drop, and tell subscribers to resync later
        continue;
      }
      this.hubPending++;
      this.hubChain = this.hubChain.then(() => this.deliver(tenantId, list, traces.get(tenantId))).finally(() => this.hubPending--);
    }
    this.ctx.waitUntil(this.hubChain);
  }

  private async deliver(tenantId: string, changes: TenantChange['change'][], traces?: string[]) {
    const hub = this.env.SUBSCRIPTION_HUB.get(this.env.SUBSCRIPTION_HUB.idFromName(tenantId));
    for (let attempt = 0; ; attempt++) {
      const gap = this.hubGap.has(tenantId);
      try {
        await hub.publish(changes, { gap, traces, tenant: tenantId });
        if (gap) this.hubGap.delete(tenantId);
        return;
      } catch (e) {
        if (attempt >= HUB_RETRIES) {
          log(this.env, 'warn', 'projector: subscription hub unreachable; its subscribers will resync', { tenant: tenantId, error: errorText(e) });
          this.hubGap.add(tenantId);
          return;
        }
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }

  /** Outbox rows of what is now applied are done with. */
  private async settleOutbox(db: Db, targets: Target[], missing: Target[]) {
    const skip = new Set(missing.map((m) => `${m.tenantId}\n${m.streamId}`));
    const done = mergeTargets(targets).filter((t) => !skip.has(`${t.tenantId}\n${t.streamId}`));
    if (!done.length) return;
    await db.query(
      `with settled as (delete from outbox o using unnest($1::text[], $2::text[], $3::bigint[]) w(tenant_id, stream_id, v)
                         where o.tenant_id = w.tenant_id and o.stream_id = w.stream_id and o.to_version <= w.v)
       update projections set last_applied_at = now()`,
      [done.map((t) => t.tenantId), done.map((t) => t.streamId), done.map((t) => t.toVersion)],
    );
  }

  /**
   * Applies what the queue did not deliver: outbox rows older than OUTBOX_SWEEP_S (the send failed,
   * the object or Worker died before sending, or a local queue lost its messages in a restart).
   */
  async sweep(olderThanS = this.sweepAfterS): Promise<number> {
    return this.tx(async (db) => {
      const rows = await db.query<{ tenant_id: string; stream_id: string; v: string }>(
        `select tenant_id, stream_id, max(to_version) as v from outbox
          where created_at < now() - make_interval(secs => $1) group by tenant_id, stream_id order by min(id) limit $2`,
        [olderThanS, SWEEP_BATCH],
      );
      const targets = rows.map((r) => ({ tenantId: r.tenant_id, streamId: r.stream_id, toVersion: Number(r.v) }));
      if (!targets.length) return { applied: 0, changes: [] };
      const { missing, changes } = await applyTargets(db, await this.generations(db), targets);
      await this.settleOutbox(db, targets, missing);
      return { applied: targets.length - missing.length, changes };
    }).then(({ applied, changes }) => {
      this.publish(changes); // committed: live subscribers may hear of it
      return applied;
    });
  }

  /** Keeps the sweep alarm armed (the queue consumer, the cron trigger and the first request call this). */
  async ensureSweeping(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + this.sweepAfterS * 1000);
  }

  // Alarms that throw are retried only a few times, then dropped: never throw, re-arm instead.
  async alarm(): Promise<void> {
    let next = this.sweepAfterS * 1000;
    try {
      const applied = await this.sweep();
      if (applied === SWEEP_BATCH) next = 100; // more waiting
      for (const step of await this.tx((db) => stalledRebuilds(db, REBUILD_STALL_S))) {
        log(this.env, 'warn', 'projector: resuming a rebuild that stopped moving', { projection: step.projection });
        await this.env.REBUILD_QUEUE.send(step, { contentType: 'json' });
      }
    } catch (e) {
      log(this.env, 'warn', 'projector: outbox sweep failed; retrying', { error: errorText(e) });
      next = Math.min(60_000, next * 2);
    }
    await this.ctx.storage.setAlarm(Date.now() + next);
  }

  async startRebuild(name: ProjectionName) {
    return this.tx(async (db) => {
      this.gens = null; // the new generation joins the live ones
      return startRebuild(db, name);
    });
  }

  /** Rebuild pages for about `budgetMs`, one transaction each, letting live batches in between. */
  async rebuildStep(name: ProjectionName, generation: number, budgetMs = 3_000, pageSize = Number(this.env.REBUILD_PAGE || 5_000)) {
    const until = Date.now() + budgetMs;
    let events = 0;
    for (;;) {
      const r = await this.tx(async (db) => {
        const page = await rebuildPage(db, name, generation, pageSize);
        if (page.done) this.gens = null; // switched: one generation again
        return page;
      });
      events += r.events;
      if (r.done) return { done: true, events };
      if (Date.now() > until) return { done: false, events };
      if (!r.events) await new Promise((res) => setTimeout(res, 200)); // waiting for old transactions to finish
    }
  }
}

/** The traceparents the batch's messages carry, by tenant (they follow the changes to the hub). */
function tracesByTenant(messages: Committed[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of messages) if (m.traces?.length) (out.get(m.tenantId) ?? out.set(m.tenantId, []).get(m.tenantId)!).push(...m.traces);
  return out;
}
