// The single writer of one (tenant, stream). Appends queue here; while one commit is in flight the
// next ones wait and are committed together in one tt_append call (group commit), each checked
// against its own expected version. Durable Object input gates do not cover database I/O, so
// the queue, not the runtime, is what serializes writes. Postgres' unique keys stay the last guard.
// Commands run through the same queue, one at a time: load state, decide, append at that version.
import { DurableObject } from 'cloudflare:workers';
import { DbUnavailable, isUniqueViolation, type Db } from '../db/client';
import { pooledDb, SqlError } from '../db/pool';
import { CATALOG } from '../domain/catalog';
import { MODELS, type DomainEvent } from '../domain/entities';
import { upcast } from '../domain/upcasters';
import { appendGroup, type GroupResult } from '../eventStore/append';
import { needsUpcast, readInfo, readPage } from '../eventStore/read';
import { eventsById, loadSnapshotAndTail, saveSnapshot } from '../eventStore/snapshots';
import type {
  AppendRequest, AppendResult, CommandRequest, CommandResult, NewEvent, ReadRequest, ReadResult, StateResult, StreamInfo, StreamKey,
} from '../eventStore/types';

const MAX_GROUP_EVENTS = 1_000;
const MAX_CACHED_PAGE_BYTES = 2 * 1024 * 1024;
const MAX_TAIL_EVENTS = 1_000;
const MAX_TAIL_BYTES = 1024 * 1024;

type Waiter =
  | { kind: 'append'; req: AppendRequest; resolve: (r: AppendResult) => void }
  | { kind: 'command'; cmd: CommandRequest; resolve: (r: CommandResult) => void };

/** Decided state held in memory, how it was loaded, and the newest snapshot saved of it. */
type Loaded = { version: number; state: unknown; loadedFromSnapshot: number | null; replayedEvents: number; snapshotVersion: number | null };

/** Postgres refused a value that passed validation (class 22: a NUL in a string, an odd offset…). */
const invalidValue = (e: unknown) => {
  const code = (e as { code?: string })?.code;
  if (!(e instanceof SqlError) || !code?.startsWith('22')) return null;
  return { status: 422 as const, code: 'invalid_value' as const, detail: `a value cannot be stored: ${e.message}` };
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
  // Pages read since the stream last moved. Every commit bumps `generation` and empties the map;
  // a read that overlapped a commit is not kept.
  private pages = new Map<string, Extract<ReadResult, { status: 200 }>>();
  // The newest events this object committed, as reads render them: events[i] is version first + i
  // and `version` is the stream's. Reads inside it need no database trip (a writer re-reading
  // after a 409 asks for exactly these). Dropped whenever the object is unsure.
  private tail: { first: number; version: number; events: string[]; bytes: number } | null = null;
  private pageBytes = 0;
  private generation = 0;
  private unsure = false;
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
    const fromTail = this.readTail(q);
    if (fromTail) return fromTail;
    const cacheKey = `${q.direction}:${q.fromVersion ?? ''}:${q.limit}`;
    const cached = this.pages.get(cacheKey);
    if (cached) return cached;
    const generation = this.generation;
    try {
      const page = await readPage(this.db, key, q);
      if (!page) return { status: 404 };
      const result = { status: 200 as const, ...page };
      if (generation === this.generation && !this.committing && !this.unsure && this.pageBytes + page.events.length <= MAX_CACHED_PAGE_BYTES) {
        this.pages.set(cacheKey, result);
        this.pageBytes += page.events.length;
      }
      return result;
    } catch (e) {
      return unavailable(e);
    }
  }

  private readTail(q: ReadRequest): Extract<ReadResult, { status: 200 }> | null {
    const t = this.tail;
    if (!t) return null;
    const page = (events: string[]) => ({ status: 200 as const, version: t.version, events: `[${events.join(',')}]` });
    if (q.direction === 'forward') {
      const from = Math.max(q.fromVersion ?? 1, 1);
      if (from > t.version) return page([]);
      if (from < t.first) return null;
      return page(t.events.slice(from - t.first, Math.min(from + q.limit - 1, t.version) - t.first + 1));
    }
    const from = Math.min(q.fromVersion ?? t.version, t.version);
    if (from < 1) return page([]);
    const low = Math.max(1, from - q.limit + 1);
    if (low < t.first) return null;
    return page(t.events.slice(low - t.first, from - t.first + 1).reverse());
  }

  /** After a commit: extend the tail with what it inserted, or start it again from there. */
  private extendTail(out: GroupResult, requests: AppendRequest[]) {
    const inserted = requests.filter((_, i) => out.results[i]?.status === 201);
    if (out.version === 0 || inserted.some((r) => r.events.some((e) => needsUpcast(e.type, e.schemaVersion)))) {
      this.tail = null; // reads of older schema versions go through the upcasting path
      return;
    }
    const base = out.version - out.rendered.length;
    let t = this.tail;
    if (!t || t.version !== base) t = this.tail = { first: base + 1, version: base, events: [], bytes: 0 };
    for (const e of out.rendered) {
      t.events.push(e);
      t.bytes += e.length;
    }
    t.version = out.version;
    while (t.events.length > MAX_TAIL_EVENTS || t.bytes > MAX_TAIL_BYTES) {
      t.bytes -= t.events.shift()!.length;
      t.first++;
    }
  }

  /**
   * A commit failed or raced: it may still land in Postgres. Forget everything held in memory, and
   * cache no page until a commit succeeds again.
   */
  private forget() {
    this.loaded = null;
    this.tail = null;
    this.unsure = true;
    this.moved();
  }

  /** The stream may have moved: forget cached pages. */
  private moved() {
    this.generation++;
    this.pages.clear();
    this.pageBytes = 0;
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
      this.moved();
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
        this.unsure = false;
        this.extendTail(out, requests);
        out.results.forEach((r, i) => group[i]!.resolve(r));
        await this.followSafely(requests, out.results, out.version);
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

  /** The commit stands whatever happens here: a state that cannot follow is dropped and reloaded. */
  private async followSafely(requests: AppendRequest[], results: AppendResult[], version: number) {
    try {
      await this.follow(requests, results, version);
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
    const key = this.key!;
    const model = MODELS[key.entityType];
    try {
      const ids = cmd.idempotencyKey ? await derivedIds(key, cmd.idempotencyKey) : null;
      for (let attempt = 1; ; attempt++) {
        if (ids) {
          const earlier = await eventsById(this.db, key, ids);
          if (earlier) return { status: 201, replayed: true, ...earlier };
        }
        const loaded = await this.ensureLoaded();
        const decision = model.decide({ type: cmd.type, data: cmd.data }, loaded.state, cmd.ctx);
        if (!decision.ok) return { status: 409, code: decision.code, detail: decision.message };
        const events: NewEvent[] = decision.events.map((e, i) => ({
          id: ids?.[i] ?? crypto.randomUUID(),
          type: e.type,
          schemaVersion: CATALOG[e.type]!.latest,
          occurredAt: cmd.ctx.at,
          location: e.location ?? cmd.ctx.location,
          data: e.data,
          metadata: cmd.metadata,
          correlationId: cmd.correlationId,
          causationId: cmd.causationId,
        }));
        const req: AppendRequest = { expected: loaded.version, events };
        const out = await appendGroup(this.db, key, [req]);
        this.unsure = false;
        this.extendTail(out, [req]);
        const r = out.results[0]!;
        if (r.status === 201) {
          await this.followSafely([req], [r], out.version);
          // the inserted events as tt_render shows them: the same text a read or a replay gives
          return { status: 201, replayed: false, version: r.toVersion, events: `[${out.rendered.join(',')}]` };
        }
        // Our state was behind what is stored (or the ids raced in): reload and decide again.
        this.loaded = null;
        if (attempt >= 3) return { status: 409, code: 'concurrent_change', detail: 'the stream kept changing; retry the command' };
      }
    } catch (e) {
      this.forget();
      return invalidValue(e) ?? unavailable(e);
    }
  }
}

/** An event as evolve folds it: upcast to its type's latest schema, with where it happened. */
function toDomain(e: { type: string; schemaVersion: number; data: Record<string, unknown>; location: string | null }): DomainEvent {
  return { ...upcast(e.type, e.schemaVersion, e.data), type: e.type, location: e.location };
}

/** Event ids of a keyed command: the same (tenant, stream, key) always gives the same UUIDs. */
async function derivedIds(key: StreamKey, idempotencyKey: string, count = 4): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${key.tenantId}\n${key.streamId}\n${idempotencyKey}\n${i}`)));
      bytes[6] = (bytes[6]! & 0x0f) | 0x80; // UUID version 8 (custom)
      bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
      const h = [...bytes.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    }),
  );
}
