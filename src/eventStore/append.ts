import type { Db } from '../db/client';
import type { AppendRequest, AppendResult, StreamKey } from './types';

/** `rendered`: the inserted events as a read shows them, in version order (they end at `version`). */
export type GroupResult = { version: number; results: AppendResult[]; rendered: string[] };

/** One round trip: tt_append checks and writes every queued request of the stream in order. */
export async function appendGroup(db: Db, key: StreamKey, requests: AppendRequest[]): Promise<GroupResult> {
  const rows = await db.query<{ r: GroupResult }>('select tt_append_rendered($1, $2, $3, $4::jsonb) as r', [
    key.tenantId,
    key.streamId,
    key.entityType,
    JSON.stringify(requests),
  ]);
  return rows[0]!.r;
}
