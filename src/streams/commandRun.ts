// Domain commands inside their stream's object, group-committed: the commands queued together are
// decided in order on the evolving state (each sees the events decided before it) and their events
// go to Postgres as ONE request expecting the version the first was decided at. All of them commit
// or none does: if our state was behind what is stored (or a command's ids raced in), tt_append
// refuses the request and every command of it is decided again, alone, on a reloaded state. Separate
// requests per command would not be safe: after the first is refused, a later one could still
// match a stored version by coincidence and commit on a state that assumed the first.
import { CATALOG } from '../domain/catalog';
import { MODELS, type DomainEvent } from '../domain/entities';
import { upcast } from '../domain/upcasters';
import type { Db } from '../db/client';
import type { GroupResult } from '../eventStore/append';
import { versionMatches } from '../http/preconditions';
import type { AppendRequest, CommandRequest, CommandResult, NewEvent, StreamKey } from '../eventStore/types';

/** How many times a command's events may be refused (the stream kept changing) before it gives up. */
const MAX_ATTEMPTS = 3;

/** A command waiting in its stream's queue. `ids`: the event ids its idempotency key derives, or []. */
export type CommandWaiter = {
  kind: 'command';
  cmd: CommandRequest;
  /** the request's traceparent (src/ops/trace.ts) */
  trace?: string;
  ids: string[];
  attempts: number;
  done: boolean;
  alone?: boolean;
  resolve(r: CommandResult): void;
};

/** What commands need of their stream's object. */
export type CommandHost = {
  db: Db;
  key: StreamKey;
  ensureLoaded(): Promise<{ version: number; state: unknown; archivedAt: string | null }>;
  /** True when these ids are surely not stored in the stream (no look-up needed). */
  absent(ids: string[]): boolean;
  finish(w: CommandWaiter, r: CommandResult): void;
  /** Our state was behind what is stored: reload before the next decision. */
  dropState(): void;
};

/** The commands' events as one request (null: nothing to write), and how to answer each once it ran. */
export type CommandPlan = {
  request: AppendRequest | null;
  /** With the group's outcome: answers the commands; returns those to decide again. */
  settle(out: GroupResult | null): CommandWaiter[];
};

type Decided = { w: CommandWaiter; refusal: CommandResult | null; from: number; to: number };

export async function planCommands(host: CommandHost, waiters: CommandWaiter[]): Promise<CommandPlan> {
  await answerReplays(host, waiters.filter((w) => !w.done));
  const todo = waiters.filter((w) => !w.done);
  if (!todo.length) return { request: null, settle: () => [] };
  const model = MODELS[host.key.entityType];
  const loaded = await host.ensureLoaded();
  if (loaded.archivedAt) {
    // retention archived the stream: its history is gone, so nothing can be decided (or appended)
    for (const w of todo) host.finish(w, { status: 410, code: 'stream_archived', archivedAt: loaded.archivedAt });
    return { request: null, settle: () => [] };
  }
  let { state, version } = loaded;
  const events: NewEvent[] = [];
  const decided: Decided[] = [];
  for (const w of todo) {
    const { cmd } = w;
    let refusal: CommandResult;
    if (cmd.expected !== null && !versionMatches(cmd.expected, version)) {
      refusal = { status: 409, code: 'wrong_expected_version', detail: `the stream is at version ${version}, which is not what If-Match expected`, currentVersion: version };
    } else {
      const decision = model.decide({ type: cmd.type, data: cmd.data }, state, cmd.ctx);
      if (decision.ok) {
        const mine = decision.events.map((e, i) => newEvent(cmd, e, w.ids[i]));
        for (const e of mine) state = model.evolve(state, toDomain(e));
        decided.push({ w, refusal: null, from: version + 1, to: version + mine.length });
        events.push(...mine);
        version += mine.length;
        continue;
      }
      refusal = { status: 409, code: decision.code, detail: decision.message };
    }
    // a refusal on the loaded state stands; one that saw events of this group waits for their commit
    if (!events.length) host.finish(w, refusal);
    else decided.push({ w, refusal, from: version, to: version });
  }
  const request: AppendRequest | null = events.length ? { expected: loaded.version, events } : null;
  return {
    request,
    settle(out) {
      const r = out?.results[0];
      if (request && r?.status !== 201) {
        // Nothing of it was written: decide them again on a reloaded state, each by itself, so a
        // command whose ids clash cannot keep the others from committing.
        host.dropState();
        const again: CommandWaiter[] = [];
        for (const { w, refusal } of decided) {
          w.alone = true;
          if (!refusal && ++w.attempts >= MAX_ATTEMPTS) host.finish(w, { status: 409, code: 'concurrent_change', detail: 'the stream kept changing; retry the command' });
          else again.push(w);
        }
        return again;
      }
      // the inserted events as tt_render shows them: the same text a read or a replay gives
      // (it committed at loaded.version + 1, so `from`..`to` are the stored versions)
      const rendered = out?.rendered ?? [];
      const base = out ? out.version - rendered.length : 0; // rendered[i] is version base + 1 + i
      for (const { w, refusal, from, to } of decided) {
        host.finish(w, refusal ?? { status: 201, replayed: false, version: to, events: `[${rendered.slice(from - base - 1, to - base).join(',')}]` });
      }
      return [];
    },
  };
}

/** A keyed command whose events are stored already answers with them (one look-up for the group). */
async function answerReplays(host: CommandHost, waiters: CommandWaiter[]) {
  const keyed = waiters.filter((w) => w.ids.length && !host.absent(w.ids));
  if (!keyed.length) return;
  const rows = await host.db.query<{ id: string; version: string | number; event: string }>(
    `select e.event_id::text as id, e.version, tt_render(e) as event from events e
      where e.tenant_id = $1 and e.stream_id = $2 and e.event_id = any($3::uuid[]) order by e.version`,
    [host.key.tenantId, host.key.streamId, keyed.flatMap((w) => w.ids)],
  );
  for (const w of keyed) {
    const earlier = rows.filter((r) => w.ids.includes(r.id));
    if (!earlier.length) continue;
    // a key answers the request it was first used with, never another one
    const first = (JSON.parse(earlier[0]!.event) as { metadata?: { requestHash?: string } }).metadata?.requestHash;
    if (first !== undefined && first !== w.cmd.requestHash) {
      host.finish(w, { status: 422, code: 'idempotency_key_reused', detail: 'this idempotency key was used with another command or body; use a new key' });
    } else {
      host.finish(w, { status: 201, replayed: true, version: Number(earlier[earlier.length - 1]!.version), events: `[${earlier.map((r) => r.event).join(',')}]` });
    }
  }
}

function newEvent(cmd: CommandRequest, e: DomainEvent, id: string | undefined): NewEvent {
  return {
    id: id ?? crypto.randomUUID(),
    type: e.type,
    schemaVersion: CATALOG[e.type]!.latest,
    occurredAt: cmd.ctx.at,
    location: e.location ?? cmd.ctx.location,
    data: e.data,
    metadata: cmd.metadata,
    correlationId: cmd.correlationId,
    causationId: cmd.causationId,
  };
}

/** An event as evolve folds it: upcast to its type's latest schema, with where it happened. */
export function toDomain(e: { type: string; schemaVersion: number; data: Record<string, unknown>; location: string | null }): DomainEvent {
  return { ...upcast(e.type, e.schemaVersion, e.data), type: e.type, location: e.location };
}

/** Event ids of a keyed command: the same (tenant, stream, key) always gives the same UUIDs. */
export async function derivedIds(key: StreamKey, idempotencyKey: string, count = 4): Promise<string[]> {
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
