// After a commit: tell the projections which versions of the stream are new. The message is a
// pointer (the consumer reads the events from the store), so it never nears the queue's size limit.
// Sending is best effort: the commit's outbox row stays until the projections applied it, and the
// projector's sweep applies any row whose message never arrived (src/projections/projector.ts).
import type { GroupResult } from '../eventStore/append';
import type { StreamKey } from '../eventStore/types';

/** What the events queue carries: versions fromVersion..toVersion of one stream were committed. */
export type Committed = { tenantId: string; streamId: string; fromVersion: number; toVersion: number };

export function publish(env: Env, key: StreamKey, out: GroupResult): void {
  const inserted = out.rendered.length;
  if (!inserted) return;
  const body: Committed = { tenantId: key.tenantId, streamId: key.streamId, fromVersion: out.version - inserted + 1, toVersion: out.version };
  env.EVENTS_QUEUE.send(body, { contentType: 'json' }).catch((e: unknown) => {
    console.warn('outbox: queue send failed; the outbox sweep will apply it', key.streamId, e instanceof Error ? e.message : e);
  });
}
