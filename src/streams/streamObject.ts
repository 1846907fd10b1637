// The single writer of one (tenant, stream). Appends queue here; while one commit is in flight the
// next ones wait and are committed together in one tt_append call (group commit), each checked
// against its own expected version. Durable Object input gates do not cover database I/O, so
// the queue, not the runtime, is what serializes writes. Postgres' unique keys stay the last guard.
// Commands run through the same queue, one at a time: load state, decide, append at that version.
import { DurableObject } from 'cloudflare:workers';
import { DbUnavailable, isUniqueViolation, type Db } from '../db/client';
import { pooledDb, SqlError } from '../db/pool';
import { MODELS } from '../domain/entities';
import { appendGroup, type GroupResult } from '../eventStore/append';
import { readInfo, readPage } from '../eventStore/read';
import { loadSnapshotAndTail, saveSnapshot } from '../eventStore/snapshots';
import type {
  AppendRequest, AppendResult, CommandRequest, CommandResult, ReadRequest, ReadResult, StateResult, StreamInfo, StreamKey,
} from '../eventStore/types';
import { publish } from '../outbox/publish';
import { runCommand, toDomain } from './commandRun';
import { ReadCache } from './readCache';

const MAX_GROUP_EVENTS = 1_000;
type Waiter =
  | { kind: 'append'; req: AppendRequest; resolve: (r: AppendResult) => void }
  | { kind: 'command'; cmd: CommandRequest; resolve: (r: CommandResult) => void };

/** Decided state held in memory, how it was loaded, and the newest snapshot saved of it. */
type Loaded = { version: number; state: unknown; loadedFromSnapshot: number | null; replayedEvents: number; snapshotVersion: number | null };

/** Postgres refused a value that passed validation (class 22: a NUL in a string, an odd offset…). */
const invalidValue = (e: unknown) => {
  const code = (e as { code?: string })?.code;
  if (!(e instanceof SqlError) || !code?.startsWith('22')) return null;
  console.warn('stream object: Postgres refused a value that passed validation', e.message); // a gap in validation
  return { status: 422 as const, code: 'invalid_value' as const, detail: 'a value of this request cannot be stored' };
};

const unavailable = (e: unknown) => {
  if (!(e instanceof DbUnavailable)) console.error('stream object: database error', e instanceof Error ? e.message : e);
  return { status: 503 as const, code: 'database_unavailable' as const, detail: 'the event store is unavailable; retry with the same event ids' };
};

export class StreamObject extends DurableObject<Env> {
  private pool: Db | null = null;
  private queue: Waiter[] = [];
  private committing = false;
  private key: StreamKey | null = null;
  private loaded: Loaded | null = null;
  private cache = new ReadCache();
  private snapshotEvery = Math.max(1, Number(this.env.SNAPSHOT_FREQUENCY || 100));

  private idle: ReturnType<typeof setTimeout> | null = null;

  /**
   * Locally objects are never evicted and each keeps a SQLite file open, so ~10,000 streams exhaust
   * file descriptors. With OBJECT_IDLE_EVICT_S set (npm start sets 5 s), an idle object resets itself,
   * as the platform would evict it; nothing is lost, its state lives in Postgres.
   */
  private touch() {
    const seconds = Number(this.env.OBJECT_IDLE_EVICT_S || 0);
    if (!seconds) return;
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (!this.committing && this.queue.length === 0) this.ctx.abort('idle');
    }, seconds * 1000);
  }

  private get db(): Db {
    return (this.pool ??= pooledDb(this.env, this.key!.streamId));
  }

  /** Appends each request in order; one result per request. */
  async append(key: StreamKey, requests: AppendRequest[]): Promise<AppendResult[]> {
    this.touch();
    this.key = key;
    const results = requests.map((req) => new Promise<AppendResult>((resolve) => this.queue.push({ kind: 'append', req, resolve })));
    this.kick();
    return Promise.all(results);
  }

  async command(key: StreamKey, cmd: CommandRequest): Promise<CommandResult> {
    this.touch();
    this.key = key;
    const result = new Promise<CommandResult>((resolve) => this.queue.push({ kind: 'command', cmd, resolve }));
    this.kick();
    return result;
  }

  async read(key: StreamKey, q: ReadRequest): Promise<ReadResult> {
    this.touch();
    this.key = key;
    const cached = this.cache.get(q);
    if (cached) return cached;
    const generation = this.cache.generation;
    try {
      const page = await readPage(this.db, key, q);
      if (!page) return { status: 404 };
      const result = { status: 200 as const, ...page };
      this.cache.keep(q, result, generation, this.committing);
      return result;
    } catch (e) {
      return unavailable(e);
    }
  }

  /** A commit failed or raced: it may still land in Postgres. Forget everything held in memory. */
  private forget() {
    this.loaded = null;
    this.cache.forget();
  }

  async info(key: StreamKey): Promise<StreamInfo> {
    this.touch();
    this.key = key;
    try {
      const info = await readInfo(this.db, key);
      return info ? { status: 200, info } : { status: 404 };
    } catch (e) {
      return unavailable(e);
    }
  }

  async state(key: StreamKey): Promise<StateResult> {
    this.touch();
    this.key = key;
    try {
      const s = await this.ensureLoaded();
      if (s.version === 0) return { status: 404 };
      return { status: 200, version: s.version, state: JSON.stringify(s.state), snapshotVersion: s.loadedFromSnapshot, replayedEvents: s.replayedEvents };
    } catch (e) {
      return unavailable(e);
    }
  }

  private kick() {
    if (this.committing || this.queue.length === 0) return;
    this.committing = true;
    const head = this.queue[0]!;
    let work: Promise<void>;
    if (head.kind === 'command') {
      this.queue.shift();
      work = this.runCommand(head.cmd).then(head.resolve);
    } else {
      let n = 1;
      let events = head.req.events.length;
      for (let w = this.queue[n]; w?.kind === 'append' && events + w.req.events.length <= MAX_GROUP_EVENTS; w = this.queue[++n]) {
        events += w.req.events.length;
      }
      work = this.commit(this.queue.splice(0, n) as Extract<Waiter, { kind: 'append' }>[]);
    }
    void work.finally(() => {
      this.cache.moved();
      this.committing = false;
      this.kick();
    });
  }

  private async commit(group: Extract<Waiter, { kind: 'append' }>[]): Promise<void> {
    const key = this.key!;
    const requests = group.map((w) => w.req);
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await appendGroup(this.db, key, requests);
        out.results.forEach((r, i) => group[i]!.resolve(r));
        await this.committed(out, requests);
        return;
      } catch (e) {
        // Someone else wrote the same version or event id (a stale instance of this object, or
        // the same id on another stream): run the group again; tt_append sees what is stored now.
        this.forget(); // the outcome is unknown, or someone else wrote
        if (isUniqueViolation(e) && attempt < 3) continue;
        // One bad request must not sink the others that share its transaction.
        if (!(e instanceof DbUnavailable) && group.length > 1) {
          for (const w of group) await this.commit([w]);
          return;
        }
        const result = invalidValue(e) ?? unavailable(e);
        for (const w of group) w.resolve(result);
        return;
      }
    }
  }

  /**
   * After every commit: caches and state follow it, and what it inserted goes to the projections.
   * The commit stands whatever happens here: a state that cannot follow is dropped and reloaded.
   */
  private async committed(out: GroupResult, requests: AppendRequest[]) {
    this.cache.committed(out, requests);
    publish(this.env, this.key!, out);
    try {
      await this.follow(requests, out.results, out.version);
    } catch (e) {
      this.loaded = null;
      console.error('stream object: state could not follow the commit', e instanceof Error ? e.message : e);
    }
  }

  /** Keeps the in-memory state (when loaded) in step with what was just committed. */
  private async follow(requests: AppendRequest[], results: AppendResult[], version: number) {
    const loaded = this.loaded;
    if (!loaded) return;
    const model = MODELS[this.key!.entityType];
    for (const [i, r] of results.entries()) {
      if (r.status !== 201) continue;
      if (r.fromVersion !== loaded.version + 1) break; // events we never saw came in between
      for (const e of requests[i]!.events) loaded.state = model.evolve(loaded.state, toDomain(e));
      loaded.version = r.toVersion;
    }
    if (loaded.version !== version) {
      this.loaded = null; // out of step: reload on next use
      return;
    }
    if (Math.floor(loaded.version / this.snapshotEvery) > Math.floor((loaded.snapshotVersion ?? 0) / this.snapshotEvery)) {
      await this.snapshot(loaded);
    }
  }

  private async snapshot(loaded: Loaded) {
    try {
      await saveSnapshot(this.db, this.key!, loaded.version, MODELS[this.key!.entityType].stateVersion, loaded.state);
      loaded.snapshotVersion = loaded.version;
    } catch (e) {
      console.warn('stream object: snapshot not saved', e instanceof Error ? e.message : e); // a later one will do
    }
  }

  private async ensureLoaded(): Promise<Loaded> {
    if (this.loaded) return this.loaded;
    const key = this.key!;
    const model = MODELS[key.entityType];
    const { snapshot, events } = await loadSnapshotAndTail(this.db, key, model.stateVersion);
    let state = snapshot ? snapshot.state : model.initial();
    for (const e of events) state = model.evolve(state, toDomain(e));
    const version = events.length ? events[events.length - 1]!.version : (snapshot?.version ?? 0);
    const from = snapshot?.version ?? null;
    const loaded: Loaded = { version, state, loadedFromSnapshot: from, replayedEvents: events.length, snapshotVersion: from };
    this.loaded = loaded;
    if (events.length >= this.snapshotEvery) await this.snapshot(loaded);
    return loaded;
  }

  private async runCommand(cmd: CommandRequest): Promise<CommandResult> {
    try {
      return await runCommand(
        {
          db: this.db,
          key: this.key!,
          ensureLoaded: () => this.ensureLoaded(),
          committed: (out, requests) => this.committed(out, requests),
          dropState: () => (this.loaded = null),
        },
        cmd,
      );
    } catch (e) {
      this.forget();
      return invalidValue(e) ?? unavailable(e);
    }
  }
}
