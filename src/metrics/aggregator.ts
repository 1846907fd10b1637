// The deployment's metrics: every isolate's flushes (registry.ts) are summed here, one object for
// the whole deployment. Counters and histograms only grow; gauges keep the latest report. The sums
// are written to this object's SQLite at most every 10 s, so a restart loses at most that window
// (Prometheus reads a drop as a counter reset). Series are capped, so a label gone wild costs
// a counter, not memory.
import { DurableObject } from 'cloudflare:workers';
import { seriesKey } from './catalog';
import { render, type Series } from './exposition';
import type { Histogram, Snapshot } from './registry';

const MAX_SERIES = 20_000;
const PERSIST_MS = 10_000;
const ISOLATE_WINDOW_MS = 5 * 60_000;

export class MetricsAggregator extends DurableObject<Env> {
  private series: Series | null = null;
  private dirty = new Set<string>();
  private isolates = new Map<string, number>();
  private dropped = 0;

  private load(): Series {
    if (this.series) return this.series;
    const sql = this.ctx.storage.sql;
    sql.exec(`create table if not exists series (key text primary key, kind text not null, value text not null)`);
    const s: Series = { counters: new Map(), histograms: new Map(), gauges: new Map() };
    for (const r of sql.exec<{ key: string; kind: string; value: string }>(`select key, kind, value from series`)) {
      if (r.kind === 'counter') s.counters.set(r.key, Number(r.value));
      else if (r.kind === 'gauge') s.gauges.set(r.key, Number(r.value));
      else s.histograms.set(r.key, JSON.parse(r.value) as Histogram);
    }
    return (this.series = s);
  }

  private size(s: Series) {
    return s.counters.size + s.histograms.size + s.gauges.size;
  }

  /** One isolate's counts since its last flush. */
  async ingest(isolate: string, snap: Snapshot): Promise<void> {
    const s = this.load();
    this.isolates.set(isolate, Date.now());
    const room = (map: Map<string, unknown>, k: string) => map.has(k) || this.size(s) < MAX_SERIES || (this.dropped++, false);
    for (const [k, v] of snap.counters) {
      if (!room(s.counters, k)) continue;
      s.counters.set(k, (s.counters.get(k) ?? 0) + v);
      this.dirty.add(k);
    }
    for (const [k, v] of snap.gauges) {
      if (!room(s.gauges, k)) continue;
      s.gauges.set(k, v);
      this.dirty.add(k);
    }
    for (const [k, h] of snap.histograms) {
      if (!room(s.histograms, k)) continue;
      const mine = s.histograms.get(k);
      if (!mine) s.histograms.set(k, { buckets: [...h.buckets], sum: h.sum, count: h.count });
      else {
        h.buckets.forEach((n, i) => (mine.buckets[i] = (mine.buckets[i] ?? 0) + n));
        mine.sum += h.sum;
        mine.count += h.count;
      }
      this.dirty.add(k);
    }
    if (this.dirty.size && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PERSIST_MS);
  }

  async alarm(): Promise<void> {
    const s = this.load();
    const sql = this.ctx.storage.sql;
    for (const k of this.dirty) {
      const [kind, value] = s.counters.has(k) ? ['counter', String(s.counters.get(k))]
        : s.gauges.has(k) ? ['gauge', String(s.gauges.get(k))]
        : ['histogram', JSON.stringify(s.histograms.get(k))];
      sql.exec(`insert into series (key, kind, value) values (?, ?, ?) on conflict (key) do update set kind = excluded.kind, value = excluded.value`, k, kind, value);
    }
    this.dirty.clear();
  }

  /** Prometheus text of everything summed here, plus `extra` series (the scrape-time gauges). */
  async render(extra?: Partial<Pick<Series, 'gauges'>>): Promise<string> {
    const s = this.load();
    const now = Date.now();
    for (const [id, at] of this.isolates) if (now - at > ISOLATE_WINDOW_MS) this.isolates.delete(id);
    const gauges = new Map([...s.gauges, ...(extra?.gauges ?? []), [seriesKey('tt_metrics_isolates'), this.isolates.size]]);
    const counters = this.dropped ? new Map([...s.counters, [seriesKey('tt_metrics_series_dropped_total'), this.dropped]]) : s.counters;
    return render({ counters, histograms: s.histograms, gauges });
  }
}
