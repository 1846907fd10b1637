// Every event in commit order, without gaps: global_position values commit out of order, so a
// reader only takes rows whose transaction is older than every transaction still open
// (pg_snapshot_xmin), and orders and checkpoints by (transaction_id, global_position).
// A transaction that commits late is never skipped: the reader waits for it (lag, not loss).
import type { Db } from '../db/client';

export type Checkpoint = { tx: string; position: number };
export const LOG_START: Checkpoint = { tx: '0', position: 0 };

export type LogPage = {
  rows: { tenantId: string; streamId: string; version: number; tx: string; position: number }[];
  /** The reader's horizon: every transaction below it had finished when the page was read. */
  horizon: string;
};

export async function readGlobalLog(db: Db, after: Checkpoint, limit: number): Promise<LogPage> {
  const rows = await db.query<{ tenant_id: string; stream_id: string; version: string; tx: string; position: string; horizon: string }>(
    `with h as (select pg_snapshot_xmin(pg_current_snapshot()) as xmin)
     select e.tenant_id, e.stream_id, e.version, e.transaction_id::text as tx, e.global_position as position, h.xmin::text as horizon
       from h left join lateral (
         select * from events e
          where (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint) and e.transaction_id < h.xmin
          order by e.transaction_id, e.global_position
          limit $3) e on true`,
    [after.tx, after.position, limit],
  );
  return {
    horizon: rows[0]!.horizon,
    rows: rows.filter((r) => r.stream_id !== null).map((r) => ({
      tenantId: r.tenant_id, streamId: r.stream_id, version: Number(r.version), tx: r.tx, position: Number(r.position),
    })),
  };
}

/** xid8 values as text compare as numbers. */
export const xidLess = (a: string, b: string) => BigInt(a) < BigInt(b);
