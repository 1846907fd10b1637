import type { Db } from '../db/client';
import type { AppendRequest, AppendResult, StreamKey } from './types';

/**
 * `rendered`: the inserted events as a read shows them, in version order (they end at `version`).
 * `archivedAt`: the stream is archived (src/retention/); every request was refused with 410.
 */
export type GroupResult = { version: number; results: AppendResult[]; rendered: string[]; archivedAt?: string };

/**
 * One round trip: tt_append_fast checks and writes every queued request of the stream in order
 * (through a pool shard, in one transaction with other streams' groups that wait there too).
 */
export async function appendGroup(db: Db, key: StreamKey, requests: AppendRequest[], traces?: string[]): Promise<GroupResult> {
  const group = {
    ...key,
    traces,
    requests: JSON.stringify(requests),
    events: requests.reduce((n, r) => n + r.events.length, 0),
  };
  if (!db.appendGroup) throw new Error('appends go through a pool shard (src/db/pool.ts)');
  const rows = await db.appendGroup<{ r: GroupResult }>(group);
  return rows[0]!.r;
}
