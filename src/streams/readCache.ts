// What a stream object remembers for reads: pages read since the stream last moved, and the
// newest events it committed, rendered as reads show them. Reads inside the tail need no database
// trip (a writer re-reading after a 409 asks for exactly these). Dropped whenever the object is unsure.
import type { GroupResult } from '../eventStore/append';
import { needsUpcast } from '../eventStore/read';
import type { AppendRequest, ReadRequest, ReadResult } from '../eventStore/types';

const MAX_CACHED_PAGE_BYTES = 2 * 1024 * 1024;
const MAX_TAIL_EVENTS = 1_000;
const MAX_TAIL_BYTES = 1024 * 1024;

type Page = Extract<ReadResult, { status: 200 }>;

export class ReadCache {
  // Every commit bumps `generation` and empties the map; a read that overlapped a commit is not kept.
  private pages = new Map<string, Page>();
  // events[i] is version first + i; `version` is the stream's.
  private tail: { first: number; version: number; events: string[]; bytes: number } | null = null;
  private pageBytes = 0;
  generation = 0;
  /** A commit failed or raced: keep no page until a commit succeeds again. */
  private unsure = false;

  get(q: ReadRequest): Page | null {
    return this.fromTail(q) ?? this.pages.get(pageKey(q)) ?? null;
  }

  /** Keeps a page read from Postgres, unless the stream moved (or may have) while it was read. */
  keep(q: ReadRequest, page: Page, readAtGeneration: number, committing: boolean) {
    if (readAtGeneration !== this.generation || committing || this.unsure) return;
    if (this.pageBytes + page.events.length > MAX_CACHED_PAGE_BYTES) return;
    this.pages.set(pageKey(q), page);
    this.pageBytes += page.events.length;
  }

  private fromTail(q: ReadRequest): Page | null {
    const t = this.tail;
    if (!t) return null;
    const page = (events: string[]) => ({ status: 200 as const, version: t.version, events: `[${events.join(',')}]` });
    if (q.direction === 'forward') {
      const from = Math.max(q.fromVersion ?? 1, 1);
      if (from > t.version) return page([]);
      if (from < t.first) return null;
      return page(t.events.slice(from - t.first, Math.min(from + q.limit - 1, t.version) - t.first + 1));
    }
    const from = Math.min(q.fromVersion ?? t.version, t.version);
    if (from < 1) return page([]);
    const low = Math.max(1, from - q.limit + 1);
    if (low < t.first) return null;
    return page(t.events.slice(low - t.first, from - t.first + 1).reverse());
  }

  /** After a commit: extend the tail with what it inserted, or start it again from there. */
  committed(out: GroupResult, requests: AppendRequest[]) {
    this.unsure = false;
    const inserted = requests.filter((_, i) => out.results[i]?.status === 201);
    if (out.version === 0 || inserted.some((r) => r.events.some((e) => needsUpcast(e.type, e.schemaVersion)))) {
      this.tail = null; // reads of older schema versions go through the upcasting path
      return;
    }
    const base = out.version - out.rendered.length;
    let t = this.tail;
    if (!t || t.version !== base) t = this.tail = { first: base + 1, version: base, events: [], bytes: 0 };
    for (const e of out.rendered) {
      t.events.push(e);
      t.bytes += e.length;
    }
    t.version = out.version;
    while (t.events.length > MAX_TAIL_EVENTS || t.bytes > MAX_TAIL_BYTES) {
      t.bytes -= t.events.shift()!.length;
      t.first++;
    }
  }

  /** A commit failed or raced: it may still land in Postgres. Forget everything. */
  forget() {
    this.tail = null;
    this.unsure = true;
    this.moved();
  }

  /** The stream may have moved: forget cached pages. */
  moved() {
    this.generation++;
    this.pages.clear();
    this.pageBytes = 0;
  }
}

const pageKey = (q: ReadRequest) => `${q.direction}:${q.fromVersion ?? ''}:${q.limit}`;
