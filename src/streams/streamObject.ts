// The single writer of one (tenant, stream). Appends and commands queue here; while one commit is in
// flight the next ones wait and are committed together in one tt_append call (group commit), each
// checked against its own expected version. Durable Object input gates do not cover database I/O,
// so the queue, not the runtime, is what serializes writes. Postgres' unique keys stay the last guard.
// Groups: src/streams/groups.ts. An append that surely loses its version check is answered from
// memory without joining one (src/streams/conflicts.ts); while writers race for the stream, such
// losers are answered in turn, one per commit (src/streams/parking.ts).
import { DurableObject } from 'cloudflare:workers';
import { DbUnavailable, isUniqueViolation, type Db } from '../db/client';
import { pooledDb, SqlError } from '../db/pool';
import { appendGroup, type GroupResult } from '../eventStore/append';
import { readInfo, readPage } from '../eventStore/read';
import type {
  AppendRequest, AppendResult, CommandRequest, CommandResult, ReadRequest, ReadResult, StateResult, StreamInfo, StreamKey,
} from '../eventStore/types';
import { errorText, log } from '../ops/log';
import { recordSpan } from '../ops/otlp';
import { sampledChild, traceparentOf } from '../ops/trace';
import { publish } from '../outbox/publish';
import { derivedIds, planCommands, type CommandHost, type CommandPlan, type CommandWaiter } from './commandRun';
import { KnownStream, PendingIds, surelyLoses } from './conflicts';
import { takeGroup, type AppendWaiter, type Waiter } from './groups';
import { Parking } from './parking';
import { ReadCache } from './readCache';
import { DecidedState } from './state';

/** Postgres refused a value that passed validation (class 22: a NUL in a string, an odd offset…). */
const invalidValue = (e: unknown) => {
  const code = (e as { code?: string })?.code;
  if (!(e instanceof SqlError) || !code?.startsWith('22')) return null;
  log(undefined, 'warn', 'stream object: Postgres refused a value that passed validation', { sqlstate: code }); // a gap in validation; its message may quote the value
  return { status: 422 as const, code: 'invalid_value' as const, detail: 'a value of this request cannot be stored' };
};

const unavailable = (e: unknown) => {
  if (!(e instanceof DbUnavailable)) log(undefined, 'error', 'stream object: database error', e instanceof SqlError ? { sqlstate: e.code } : { error: errorText(e) });
  return { status: 503 as const, code: 'database_unavailable' as const, detail: 'the event store is unavailable; retry with the same event ids' };
};

export class StreamObject extends DurableObject<Env> {
  private pool: Db | null = null;
  private queue: Waiter[] = [];
  private committing = false;
  private key: StreamKey | null = null;
  private decided = new DecidedState(() => this.db, () => this.key!, Math.max(1, Number(this.env.SNAPSHOT_FREQUENCY || 100)));
  private cache = new ReadCache();
  private known = new KnownStream();
  private pending = new PendingIds();
  private parking = new Parking<AppendWaiter>((w) => this.finish(w, { status: 409, code: 'wrong_expected_version', currentVersion: this.known.version ?? w.seen! }));

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
      if (!this.committing && this.queue.length === 0 && this.parking.size === 0) this.ctx.abort('idle');
    }, seconds * 1000);
  }

  private get db(): Db {
    return (this.pool ??= pooledDb(this.env, this.key!.streamId));
  }

  /** Appends each request in order; one result per request. `trace`: the caller's traceparent. */
  async append(key: StreamKey, requests: AppendRequest[], trace?: string): Promise<AppendResult[]> {
    this.touch();
    this.key = key;
    const span = this.span(trace);
    // a batch's items are answered in their order, so only a request alone may wait its turn
    const park = requests.length === 1;
    const results = requests.map((req) => new Promise<AppendResult>((resolve) => {
      const w: AppendWaiter = { kind: 'append', req, ids: req.events.map((e) => e.id.toLowerCase()), done: false, park, resolve, trace: span.traceparent };
      this.pending.hold(w.ids);
      if (!this.answerFromMemory(w, this.committing)) this.queue.push(w);
    }));
    this.kick();
    return span.end('StreamObject.append', await Promise.all(results));
  }

  async command(key: StreamKey, cmd: CommandRequest, trace?: string): Promise<CommandResult> {
    this.touch();
    this.key = key;
    const span = this.span(trace);
    // derived before queueing, so a request holding the same ids is never answered from memory
    const ids = cmd.idempotencyKey ? await derivedIds(key, cmd.idempotencyKey) : [];
    const result = new Promise<CommandResult>((resolve) => {
      this.pending.hold(ids);
      this.queue.push({ kind: 'command', cmd, ids, attempts: 0, done: false, resolve, trace: span.traceparent });
    });
    this.kick();
    return span.end(`StreamObject.command ${cmd.type}`, await result);
  }

  /** This object's hop of the caller's trace: its traceparent goes on to Postgres and the queue. */
  private span(trace: string | undefined) {
    // an unsampled trace records no span here: its traceparent goes on as it came (the ids for the logs)
    const ctx = sampledChild(trace);
    const startMs = Date.now();
    return {
      traceparent: ctx ? traceparentOf(ctx) : trace,
      end: <T>(name: string, out: T): T => {
        if (ctx) recordSpan(this.env, true, { ctx, name, kind: 1, startMs, endMs: Date.now(), attrs: { 'stream.id': this.key!.streamId } });
        return out;
      },
    };
  }

  /** Answers a waiter once, and lets go of its ids. */
  private finish<W extends Waiter>(w: W, r: Parameters<W['resolve']>[0]) {
    if (w.done) return;
    w.done = true;
    this.pending.release(w.ids);
    (w.resolve as (r: unknown) => void)(r);
  }

  /**
   * 409 wrong_expected_version from memory when tt_append would surely give it (conflicts.ts):
   * the version check fails against the version of our last commit, and none of the request's ids
   * is stored in the stream or held by another request here. While others race for the stream
   * (`racing`) it waits its turn (parking.ts).
   */
  private answerFromMemory(w: AppendWaiter, racing: boolean): boolean {
    const version = this.known.version;
    if (version === null || !surelyLoses(w.req.expected, version)) return false;
    if (!this.known.complete) {
      void this.known.loadOlder(this.db, this.key!); // so the next conflict can be answered here
      return false;
    }
    if (!this.known.absent(w.ids) || this.pending.shared(w.ids)) return false;
    w.seen = version;
    if (w.park && (racing || this.parking.size > 0)) this.parking.park(w);
    else this.finish(w, { status: 409, code: 'wrong_expected_version', currentVersion: version });
    return true;
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
      if ('archivedAt' in page) return this.archived(page.archivedAt);
      const result = { status: 200 as const, ...page };
      this.cache.keep(q, result, generation, this.committing);
      return result;
    } catch (e) {
      return unavailable(e);
    }
  }

  /**
   * Retention is about to archive the stream (src/retention/job.ts): forget what memory holds, so
   * nothing read before the move is answered after it. A commit after this keeps the stream (it is
   * newer than the job's cutoff), so whatever memory that commit rebuilds stays right.
   */
  async beforeArchive(key: StreamKey): Promise<void> {
    this.touch();
    this.key = key;
    this.forget();
  }

  /** Postgres says the stream is archived: 410, and nothing of it is kept in memory. */
  private archived(archivedAt: string) {
    this.forget();
    return { status: 410 as const, code: 'stream_archived' as const, archivedAt };
  }

  /** A commit failed or raced: it may still land in Postgres. Forget everything held in memory. */
  private forget() {
    this.decided.drop();
    this.cache.forget();
    this.known.forget();
  }

  async info(key: StreamKey): Promise<StreamInfo> {
    this.touch();
    this.key = key;
    try {
      const info = await readInfo(this.db, key);
      if (info && 'archivedAt' in info) return this.archived(info.archivedAt);
      return info ? { status: 200, info } : { status: 404 };
    } catch (e) {
      return unavailable(e);
    }
  }

  async state(key: StreamKey): Promise<StateResult> {
    this.touch();
    this.key = key;
    try {
      // a load that overlapped a commit may have missed it: answer with it, but do not keep it
      const generation = this.cache.generation;
      const quiet = !this.committing;
      const s = this.decided.current ?? (await this.decided.beside(() => quiet && !this.committing && generation === this.cache.generation));
      if (s.archivedAt) return this.archived(s.archivedAt);
      if (s.version === 0) return { status: 404 };
      return { status: 200, version: s.version, state: JSON.stringify(s.state), snapshotVersion: s.loadedFromSnapshot, replayedEvents: s.replayedEvents };
    } catch (e) {
      return unavailable(e);
    }
  }

  /** `afterCommit`: a commit just returned; its losers queued behind it wait their turn. */
  private kick(afterCommit = false) {
    if (this.committing) return;
    this.answerQueued(afterCommit);
    if (afterCommit) this.parking.turn();
    if (this.queue.length === 0) return this.parking.idle();
    this.committing = true;
    this.parking.commitStarted();
    void this.runGroup(takeGroup(this.queue)).finally(() => {
      this.cache.moved();
      this.committing = false;
      this.kick(true);
    });
  }

  /** Before the next group: answer from memory, in queue order, what surely loses. */
  private answerQueued(racing: boolean) {
    if (this.known.version === null) return;
    this.queue = this.queue.filter((w) => !(w.kind === 'append' && this.answerFromMemory(w, racing)));
  }

  private async runGroup(group: Waiter[]): Promise<void> {
    const key = this.key!;
    const commands = group.filter((w): w is CommandWaiter => w.kind === 'command');
    const appends = group.filter((w): w is AppendWaiter => w.kind === 'append');
    let plan: CommandPlan | null = null;
    let requests: AppendRequest[] = [];
    let out: GroupResult | null = null;
    for (let attempt = 1; !out; attempt++) {
      try {
        plan = commands.length ? await planCommands(this.commandHost(), commands) : null;
        requests = [...(plan?.request ? [plan.request] : []), ...appends.map((w) => w.req)];
        if (!requests.length) break;
        out = await appendGroup(this.db, key, requests, tracesOf(group));
      } catch (e) {
        // Someone else wrote the same version or event id (a stale instance of this object, or
        // the same id on another stream): run the group again; tt_append sees what is stored now.
        this.forget(); // the outcome is unknown, or someone else wrote
        if (isUniqueViolation(e) && attempt < 3) continue;
        const open = group.filter((w) => !w.done);
        // One bad request must not sink the others that share its transaction.
        if (!(e instanceof DbUnavailable) && open.length > 1) {
          for (const w of open) w.alone = true;
          this.queue.unshift(...open);
          return;
        }
        const result = invalidValue(e) ?? unavailable(e);
        for (const w of open) this.finish(w, result);
        return;
      }
    }
    // The commit stands from here on. Answers go out once this turn ends, after committed() has
    // brought the caches up to date (its first await comes after that).
    const offset = plan?.request ? 1 : 0;
    appends.forEach((w, i) => this.finish(w, out!.results[i + offset]!));
    this.queue.unshift(...(plan?.settle(out) ?? [])); // commands to decide again go first
    if (out?.archivedAt) this.forget(); // archived: every request was refused, nothing to follow
    else if (out) await this.committed(out, requests, tracesOf(group));
  }

  private commandHost(): CommandHost {
    return {
      db: this.db,
      key: this.key!,
      ensureLoaded: () => this.decided.ensure(),
      absent: (ids) => this.known.absent(ids),
      finish: (w, r) => this.finish(w, r),
      dropState: () => this.decided.drop(),
    };
  }

  /**
   * After every commit: caches and state follow it, and what it inserted goes to the projections.
   * The commit stands whatever happens here: a state that cannot follow is dropped and reloaded.
   */
  private async committed(out: GroupResult, requests: AppendRequest[], traces: string[]) {
    this.cache.committed(out, requests);
    this.known.committed(out, requests);
    publish(this.env, this.key!, out, traces);
    try {
      await this.decided.follow(requests, out.results, out.version);
    } catch (e) {
      this.decided.drop();
      log(this.env, 'error', 'stream object: state could not follow the commit', { streamId: this.key!.streamId, error: errorText(e) });
    }
  }
}

const tracesOf = (group: Waiter[]) => [...new Set(group.map((w) => w.trace).filter((t): t is string => !!t))];
