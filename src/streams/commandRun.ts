// One domain command inside its stream's object: load state, decide, append at that version.
// Runs through the object's queue, one at a time, so the state it decides on is the stream's.
import { CATALOG } from '../domain/catalog';
import { MODELS, type DomainEvent } from '../domain/entities';
import { upcast } from '../domain/upcasters';
import type { Db } from '../db/client';
import { appendGroup, type GroupResult } from '../eventStore/append';
import { eventsById } from '../eventStore/snapshots';
import { versionMatches } from '../http/preconditions';
import type { AppendRequest, AppendResult, CommandRequest, CommandResult, NewEvent, StreamKey } from '../eventStore/types';

/** What a command needs of its stream's object. */
export type CommandHost = {
  db: Db;
  key: StreamKey;
  ensureLoaded(): Promise<{ version: number; state: unknown }>;
  /** A commit landed: keep caches and state in step, publish it. */
  committed(out: GroupResult, requests: AppendRequest[]): Promise<void>;
  /** Our state was behind what is stored: reload before the next decision. */
  dropState(): void;
};

export async function runCommand(host: CommandHost, cmd: CommandRequest): Promise<CommandResult> {
  const { key } = host;
  const model = MODELS[key.entityType];
  const ids = cmd.idempotencyKey ? await derivedIds(key, cmd.idempotencyKey) : null;
  for (let attempt = 1; ; attempt++) {
    if (ids) {
      const earlier = await eventsById(host.db, key, ids);
      if (earlier) {
        // a key answers the request it was first used with, never another one
        const first = (JSON.parse(earlier.events) as { metadata?: { requestHash?: string } }[])[0]?.metadata?.requestHash;
        if (first !== undefined && first !== cmd.requestHash) {
          return { status: 422, code: 'idempotency_key_reused', detail: 'this idempotency key was used with another command or body; use a new key' };
        }
        return { status: 201, replayed: true, ...earlier };
      }
    }
    const loaded = await host.ensureLoaded();
    if (cmd.expected !== null && !versionMatches(cmd.expected, loaded.version)) {
      return { status: 409, code: 'wrong_expected_version', detail: `the stream is at version ${loaded.version}, which is not what If-Match expected`, currentVersion: loaded.version };
    }
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
    const out = await appendGroup(host.db, key, [req]);
    await host.committed(out, [req]);
    const r = out.results[0]! as AppendResult;
    if (r.status === 201) {
      // the inserted events as tt_render shows them: the same text a read or a replay gives
      return { status: 201, replayed: false, version: r.toVersion, events: `[${out.rendered.join(',')}]` };
    }
    host.dropState(); // the state was behind what is stored (or the ids raced in): reload, decide again
    if (attempt >= 3) return { status: 409, code: 'concurrent_change', detail: 'the stream kept changing; retry the command' };
  }
}

/** An event as evolve folds it: upcast to its type's latest schema, with where it happened. */
export function toDomain(e: { type: string; schemaVersion: number; data: Record<string, unknown>; location: string | null }): DomainEvent {
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
