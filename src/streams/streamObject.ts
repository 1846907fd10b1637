// The single writer of one (tenant, stream). Appends queue here; while one commit is in flight the
// next ones wait and are committed together in one tt_append call (group commit), each checked
// against its own expected version. Durable Object input gates do not cover database I/O, so
// the queue, not the runtime, is what serializes writes. Postgres' unique keys stay the last guard.
import { DurableObject } from 'cloudflare:workers';
import { connection, DbUnavailable, isUniqueViolation } from '../db/client';
import { appendGroup } from '../eventStore/append';
import { readInfo, readPage } from '../eventStore/read';
import type { AppendRequest, AppendResult, ReadRequest, ReadResult, StreamInfo, StreamKey } from '../eventStore/types';

const MAX_GROUP_EVENTS = 1_000;

type Waiter = { req: AppendRequest; resolve: (r: AppendResult) => void };

const unavailable = (e: unknown) => {
  if (!(e instanceof DbUnavailable)) console.error('stream object: database error', e);
  return { status: 503 as const, code: 'database_unavailable' as const, detail: 'the event store is unavailable; retry with the same event ids' };
};

export class StreamObject extends DurableObject<Env> {
  private db = connection(this.env);
  private queue: Waiter[] = [];
  private committing = false;
  private key: StreamKey | null = null;

  /** Appends each request in order; one result per request. */
  async append(key: StreamKey, requests: AppendRequest[]): Promise<AppendResult[]> {
    this.key = key;
    const results = requests.map((req) => new Promise<AppendResult>((resolve) => this.queue.push({ req, resolve })));
    this.kick();
    return Promise.all(results);
  }

  async read(key: StreamKey, q: ReadRequest): Promise<ReadResult> {
    try {
      const page = await readPage(this.db, key, q);
      return page ? { status: 200, ...page } : { status: 404 };
    } catch (e) {
      return unavailable(e);
    }
  }

  async info(key: StreamKey): Promise<StreamInfo> {
    try {
      const info = await readInfo(this.db, key);
      return info ? { status: 200, info } : { status: 404 };
    } catch (e) {
      return unavailable(e);
    }
  }

  private kick() {
    if (this.committing || this.queue.length === 0) return;
    this.committing = true;
    let n = 1;
    let events = this.queue[0]!.req.events.length;
    while (n < this.queue.length && events + this.queue[n]!.req.events.length <= MAX_GROUP_EVENTS) {
      events += this.queue[n]!.req.events.length;
      n++;
    }
    const group = this.queue.splice(0, n);
    void this.commit(group).finally(() => {
      this.committing = false;
      this.kick();
    });
  }

  private async commit(group: Waiter[]): Promise<void> {
    const key = this.key!;
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await appendGroup(this.db, key, group.map((w) => w.req));
        out.results.forEach((r, i) => group[i]!.resolve(r));
        return;
      } catch (e) {
        // Someone else wrote the same version or event id (a stale instance of this object, or
        // the same id on another stream): run the group again; tt_append sees what is stored now.
        if (isUniqueViolation(e) && attempt < 3) continue;
        // One bad request must not sink the others that share its transaction.
        if (!(e instanceof DbUnavailable) && group.length > 1) {
          for (const w of group) await this.commit([w]);
          return;
        }
        for (const w of group) w.resolve(unavailable(e));
        return;
      }
    }
  }
}
