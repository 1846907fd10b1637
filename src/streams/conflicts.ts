// Version conflicts answered from a stream object's memory. A writer that lost a race learns the
// new version at once instead of waiting for (and adding to) the next commit.
//
// tt_append checks a request's ids before its expected version: an id already stored in the tenant
// makes it a 200 replay or a 409 event_id_conflict, whatever the version. So the object answers
// 409 wrong_expected_version itself only when
//   - it knows the stream's version (its own last commit) and every event id stored in the stream
//     (KnownStream.complete: the ids of versions 1..version), and none of the request's ids is among
//     them, nor in another request queued or in flight here (a retry queued behind its original);
//   - and the expected version surely fails against that version (surelyLoses).
// An id stored on ANOTHER stream of the tenant cannot be seen from here: tt_append would answer
// event_id_conflict, memory answers wrong_expected_version. Both are 409 and write nothing; the
// client re-reads, and its retry with the right version reaches Postgres and gets event_id_conflict.
import type { Db } from '../db/client';
import type { GroupResult } from '../eventStore/append';
import type { AppendRequest, ExpectedVersion, StreamKey } from '../eventStore/types';
import { errorText, log } from '../ops/log';

/** Above this many events a stream's ids are not all kept: its conflicts go to Postgres. */
const MAX_KNOWN_IDS = 50_000;

/**
 * Whether tt_append would surely refuse `expected` with the stream at `version` now, whatever is
 * queued or in flight and whoever else writes: versions only grow, so a number below it (or
 * no_stream once the stream has events) can never match again. Any other mismatch (a number above
 * it, stream_exists at 0) goes to Postgres: a write this object did not make may have moved it there.
 */
export function surelyLoses(expected: ExpectedVersion, version: number): boolean {
  return (typeof expected === 'number' && expected < version) || (expected === 'no_stream' && version > 0);
}

/** What the object knows of its stream: the version after its last commit and the ids stored. */
export class KnownStream {
  /** The stream's version after this object's last commit; null when unsure (a commit failed). */
  version: number | null = null;
  // every event id (lower case) of versions `from`..version
  private ids = new Set<string>();
  private from = 1;
  // bumped whenever `ids` starts again, so a load of older ids that overlapped it is dropped
  private epoch = 0;
  private loading = false;

  /** Every id stored in the stream is in memory: an id not held here is not stored in it. */
  get complete(): boolean {
    return this.version !== null && this.from === 1;
  }

  /** Proves none of these ids is stored in the stream (false when it cannot tell). */
  absent(ids: string[]): boolean {
    return this.complete && !ids.some((id) => this.ids.has(id));
  }

  /** After a commit: add what it inserted, or start again when events we never saw came in between. */
  committed(out: GroupResult, requests: AppendRequest[]) {
    const inserted = requests.filter((_, i) => out.results[i]?.status === 201);
    const base = out.version - inserted.reduce((n, r) => n + r.events.length, 0);
    if (this.version !== base) this.restart(base);
    for (const r of inserted) for (const e of r.events) this.ids.add(e.id.toLowerCase());
    this.version = out.version;
    if (this.ids.size > MAX_KNOWN_IDS) this.restart(out.version); // too many to keep: unsure of ids
  }

  /** A commit failed or raced: it may still land. Know nothing until the next commit. */
  forget() {
    this.version = null;
    this.restart(0);
  }

  private restart(base: number) {
    this.ids.clear();
    this.from = base + 1;
    this.epoch++;
  }

  /**
   * Loads the ids of the versions before what this object saw (it started on a stream with events),
   * once, in the background, when a conflict could have been answered with them. Stored events
   * never change, so a load that ends after later commits is still right, unless `ids` started
   * again meanwhile.
   */
  async loadOlder(db: Db, key: StreamKey): Promise<void> {
    if (this.loading || this.version === null || this.from === 1 || this.from - 1 > MAX_KNOWN_IDS) return;
    this.loading = true;
    const { epoch, from } = this;
    try {
      const rows = await db.query<{ ids: string }>(
        `select coalesce(string_agg(event_id::text, ','), '') as ids from events
          where tenant_id = $1 and stream_id = $2 and version < $3`,
        [key.tenantId, key.streamId, from],
      );
      if (epoch !== this.epoch) return;
      for (const id of rows[0]!.ids.split(',')) if (id) this.ids.add(id);
      this.from = 1;
    } catch (e) {
      log(undefined, 'warn', 'stream object: older event ids not loaded', { streamId: key.streamId, error: errorText(e) }); // Postgres answers meanwhile
    } finally {
      this.loading = false;
    }
  }
}

/** Event ids of the requests queued or in flight in the object, counted. */
export class PendingIds {
  private counts = new Map<string, number>();

  hold(ids: string[]) {
    for (const id of ids) this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
  }

  release(ids: string[]) {
    for (const id of ids) {
      const n = (this.counts.get(id) ?? 0) - 1;
      if (n > 0) this.counts.set(id, n);
      else this.counts.delete(id);
    }
  }

  /** Some id is held by another request too (each request holds its own ids once). */
  shared(ids: string[]): boolean {
    return ids.some((id) => (this.counts.get(id) ?? 0) > 1);
  }
}
