// What waits in a stream object's queue, and which of it goes to Postgres together (one group =
// one tt_append call). Commands first: they are decided together on the state as it is before the
// group (src/streams/commandRun.ts); appends after them carry their own expected versions, which
// tt_append checks whatever the commands did. An append ahead of a command would leave the command
// a state that depends on the append's outcome, so a group ends at a command that follows appends.
import type { AppendRequest, AppendResult } from '../eventStore/types';
import type { CommandWaiter } from './commandRun';

const MAX_GROUP_EVENTS = 1_000;
const MAX_GROUP_COMMANDS = 100;

/**
 * `ids`: the request's event ids, held by the object until it is answered; `alone`: commit it by
 * itself; `park`: a lost race may wait its turn for the 409 (`seen`: the version it lost to).
 */
export type AppendWaiter = {
  kind: 'append';
  req: AppendRequest;
  /** the request's traceparent (src/ops/trace.ts) */
  trace?: string;
  ids: string[];
  done: boolean;
  alone?: boolean;
  park: boolean;
  seen?: number;
  resolve(r: AppendResult): void;
};
export type Waiter = AppendWaiter | CommandWaiter;

/** Takes the next group off the head of the queue (at least one waiter). */
export function takeGroup(queue: Waiter[]): Waiter[] {
  if (queue[0]!.alone) return queue.splice(0, 1);
  const keys = new Set<string>();
  let n = 0;
  for (let w = queue[0]; w?.kind === 'command' && !w.alone && n < MAX_GROUP_COMMANDS; w = queue[++n]) {
    const k = w.cmd.idempotencyKey;
    if (k !== null && keys.has(k)) break; // a retry behind its original: the next group replays it
    if (k !== null) keys.add(k);
  }
  let events = n;
  for (let w = queue[n]; w?.kind === 'append' && !w.alone && (n === 0 || events + w.req.events.length <= MAX_GROUP_EVENTS); w = queue[++n]) {
    events += w.req.events.length;
  }
  return queue.splice(0, Math.max(n, 1));
}
