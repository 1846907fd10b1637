// After a commit: tell the projections which versions of the stream are new. The message is a
// pointer (the consumer reads the events from the store), so it never nears the queue's size limit.
// Sending is best effort: the commit's outbox row stays until the projections applied it, and the
// projector's sweep applies any row whose message never arrived (src/projections/projector.ts).
import type { GroupResult } from '../eventStore/append';
import { errorText, log } from '../ops/log';
import type { StreamKey } from '../eventStore/types';

/** What the events queue carries: versions fromVersion..toVersion of one stream were committed. */
export type Committed = {
  tenantId: string; streamId: string; fromVersion: number; toVersion: number;
  /** traceparents of the requests committed (src/ops/trace.ts); absent when the outbox sweep applies it */
  traces?: string[];
};

/** At most this many traces ride on one message (a group of many requests names its first ones). */
const MAX_TRACES = 16;

export function publish(env: Env, key: StreamKey, out: GroupResult, traces: string[] = []): void {
  const inserted = out.rendered.length;
  if (!inserted) return;
  const body: Committed = { tenantId: key.tenantId, streamId: key.streamId, fromVersion: out.version - inserted + 1, toVersion: out.version };
  if (traces.length) body.traces = traces.slice(0, MAX_TRACES);
  env.EVENTS_QUEUE.send(body, { contentType: 'json' }).catch((e: unknown) => {
    log(env, 'warn', 'outbox: queue send failed; the outbox sweep will apply it', { tenant: key.tenantId, streamId: key.streamId, error: errorText(e) });
  });
}
