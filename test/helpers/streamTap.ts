// Watches a stream object's database calls from a test, and can hold its next commit, so a test can
// line requests up behind a commit in flight and see which of them reached Postgres.
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { AppendGroup, Db } from '../../src/db/client';
import type { StreamObject } from '../../src/streams/streamObject';

type Inside = { db: Db; pool: Db; queue: unknown[] };

export type Tap = {
  /** Every query the object sent since the tap (or since the last `clear`). */
  queries: string[];
  /** tt_append calls among them: commits (groups) that reached Postgres. */
  commits(): number;
  clear(): void;
  /**
   * Holds the object's next commit before Postgres runs it ('before') or after it committed but
   * before the object hears of it ('after'). `reached` resolves once it is held.
   */
  holdNextCommit(when: 'before' | 'after'): { reached: Promise<void>; release(): void };
  /** Waits until `n` requests wait in the object's queue. */
  queued(n: number): Promise<void>;
};

const stubOf = (streamId: string) => {
  const ns = (env as unknown as Env).STREAM;
  return ns.get(ns.idFromName(`tenant-a/${streamId}`));
};

/** Taps a stream's object; it must have served a request for the stream already. */
export async function tapStream(streamId: string): Promise<Tap> {
  const queries: string[] = [];
  // Promises resolved in another context resume there: the object's side of a hold is only
  // touched from inside the object (runInDurableObject), the test's side only by polling a flag.
  let hold: { when: 'before' | 'after'; reached: boolean; released: Promise<void>; release(): void } | null = null;
  const stub = stubOf(streamId);
  await runInDurableObject(stub, (object: StreamObject) => {
    const inside = object as unknown as Inside;
    const real = inside.db;
    // holds the next commit, whichever way it reaches Postgres (a pool shard's appendGroup or SQL)
    const commit = async <T>(run: () => Promise<T[]>): Promise<T[]> => {
      const h = hold;
      hold = null;
      if (h?.when === 'before') {
        h.reached = true;
        await h.released;
      }
      const rows = await run();
      if (h?.when === 'after') {
        h.reached = true;
        await h.released;
      }
      return rows;
    };
    inside.pool = {
      query<T>(text: string, params: unknown[]): Promise<T[]> {
        queries.push(text);
        const run = () => real.query<T>(text, params);
        return text.includes('tt_append') ? commit(run) : run();
      },
      ...(real.appendGroup && {
        appendGroup<T>(group: AppendGroup): Promise<T[]> {
          queries.push('appendGroup (tt_append)');
          return commit(() => real.appendGroup!<T>(group));
        },
      }),
    };
  });
  return {
    queries,
    commits: () => queries.filter((q) => q.includes('tt_append')).length,
    clear: () => void queries.splice(0),
    holdNextCommit(when) {
      let h!: NonNullable<typeof hold>;
      const made = runInDurableObject(stub, () => {
        let release!: () => void;
        const released = new Promise<void>((ok) => (release = ok));
        hold = h = { when, reached: false, released, release };
      });
      return {
        reached: (async () => {
          await made;
          while (!h.reached) await new Promise((r) => setTimeout(r, 5));
        })(),
        release: () => void runInDurableObject(stub, () => h.release()),
      };
    },
    async queued(n) {
      for (let i = 0; i < 200; i++) {
        const length = await runInDurableObject(stub, (object: StreamObject) => (object as unknown as Inside).queue.length);
        if (length === n) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`the object's queue never held ${n} requests`);
    },
  };
}
