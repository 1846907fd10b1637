// The hub's resume buffer in its SQLite storage: every published change gets the tenant's next
// sequence number (the `cursor` clients resume from). Kept across restarts and deploys; trimmed to
// LIMITS.bufferChanges and LIMITS.bufferMs. A cursor older than what was trimmed gets a resync, never
// a silent gap. All calls are synchronous, so a replay and a publish never interleave.
import type { Change } from './filters';
import { LIMITS } from './filters';

export type Stored = { seq: number; change: Change | null /* null: a resync marker (changes were lost upstream) */ };

export class ChangeBuffer {
  constructor(private sql: SqlStorage) {
    sql.exec(`create table if not exists changes (seq integer primary key autoincrement, stream_id text, version integer,
                at integer not null, body text not null, unique (stream_id, version))`);
    sql.exec('create table if not exists meta (k text primary key, v integer not null)');
  }

  /** Stores a change; null when (streamId, version) was published before (the projector retried). */
  add(c: Change, now = Date.now()): number | null {
    const rows = this.sql.exec<{ seq: number }>(
      'insert into changes (stream_id, version, at, body) values (?, ?, ?, ?) on conflict do nothing returning seq',
      c.streamId, c.version, now, JSON.stringify(c),
    ).toArray();
    return rows[0]?.seq ?? null;
  }

  /** A marker: whoever resumes from before it must refetch state (changes between were lost upstream). */
  addResync(now = Date.now()): number {
    return this.sql.exec<{ seq: number }>("insert into changes (at, body) values (?, 'null') returning seq", now).one().seq;
  }

  last(): number {
    return this.sql.exec<{ s: number | null }>('select max(seq) as s from changes').one().s ?? this.get('last');
  }

  private get(k: string): number {
    return this.sql.exec<{ v: number }>('select v from meta where k = ?', k).toArray()[0]?.v ?? 0;
  }

  private set(k: string, v: number) {
    this.sql.exec('insert into meta (k, v) values (?, ?) on conflict (k) do update set v = max(v, excluded.v)', k, v);
  }

  /** Drops what is beyond the limits, remembering the newest sequence dropped. */
  trim(now = Date.now()) {
    const last = this.last();
    const cut = this.sql.exec<{ s: number | null }>('select max(seq) as s from changes where seq <= ? or at < ?', last - LIMITS.bufferChanges, now - LIMITS.bufferMs).one().s;
    if (!cut) return;
    this.set('last', last); // so an emptied buffer still knows the sequence
    this.set('trimmed', cut);
    this.sql.exec('delete from changes where seq <= ?', cut);
  }

  /**
   * What a client resuming after `cursor` gets: 'resync' when it is older than the buffer (or from
   * another life of it: ahead of the sequence), else the stored changes after it, in order.
   */
  since(cursor: number): Stored[] | 'resync' {
    if (cursor < this.get('trimmed') || cursor > this.last()) return 'resync';
    return this.sql.exec<{ seq: number; body: string }>('select seq, body from changes where seq > ? order by seq', cursor)
      .toArray().map((r) => ({ seq: r.seq, change: JSON.parse(r.body) as Change | null }));
  }
}
