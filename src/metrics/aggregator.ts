// The deployment's metrics: every isolate's flushes (registry.ts) are summed here, one object for
// the whole deployment. Counters and histograms only grow; gauges keep the latest report. The sums
// are written to this object's SQLite at most every 10 s, so a restart loses at most that window
// (Prometheus reads a drop as a counter reset). Series are capped, so a label gone wild costs a
// counter, not memory, and a series nobody reported for a week (an old version's) is forgotten.
import { DurableObject } from 'cloudflare:workers';
import { seriesKey } from './catalog';
import { render, type Series } from './exposition';
import type { Histogram, Snapshot } from './registry';

const MAX_SERIES = 20_000;
const PERSIST_MS = 10_000;
const ISOLATE_WINDOW_MS = 5 * 60_000;
const SERIES_TTL_MS = 7 * 86_400_000;

export class MetricsAggregator extends DurableObject<Env> {
  private series: Series | null = null;
  private updatedAt = new Map<string, number>();
  private dirty = new Set<string>();
  /** Per isolate: the last snapshot applied, and when it reported. A resent snapshot is applied once. */
  private isolates = new Map<string, { seq: number; at: number }>();
  private dropped = 0;

  private load(): Series {
    if (this.series) return this.series;
    const sql = this.ctx.storage.sql;
    sql.exec(`create table if not exists metric_series (key text primary key, kind text not null, value text not null, updated_at integer not null)`);
    const s: Series = { counters: new Map(), histograms: new Map(), gauges: new Map() };
    for (const r of sql.exec<{ key: string; kind: string; value: string; updated_at: number }>(`select key, kind, value, updated_at from metric_series`)) {
      if (r.kind === 'counter') s.counters.set(r.key, Number(r.value));
      else if (r.kind === 'gauge') s.gauges.set(r.key, Number(r.value));
      else s.histograms.set(r.key, JSON.parse(r.value) as Histogram);
      this.updatedAt.set(r.key, r.updated_at);
    }
    return (this.series = s);
  }

  private size(s: Series) {
    return s.counters.size + s.histograms.size + s.gauges.size;
  }

  /** One isolate's counts since its last flush (`seq` counts its flushes). */
  async ingest(isolate: string, seq: number, snap: Snapshot): Promise<void> {
    const s = this.load();
    const last = this.isolates.get(isolate);
    if (last && seq <= last.seq) return; // applied already; its answer was lost
    // the save is armed before anything changes: a failure here leaves the snapshot to be resent whole
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PERSIST_MS);
    const now = Date.now();
    this.isolates.set(isolate, { seq, at: now });
    const touch = (map: Map<string, unknown>, k: string) => {
      if (!map.has(k) && this.size(s) >= MAX_SERIES) return (this.dropped++, false);
      this.dirty.add(k);
      this.updatedAt.set(k, now);
      return true;
    };
    for (const [k, v] of snap.counters) if (touch(s.counters, k)) s.counters.set(k, (s.counters.get(k) ?? 0) + v);
    for (const [k, v] of snap.gauges) if (touch(s.gauges, k)) s.gauges.set(k, v);
    for (const [k, h] of snap.histograms) {
      if (!touch(s.histograms, k)) continue;
      const mine = s.histograms.get(k);
      if (!mine) s.histograms.set(k, { buckets: [...h.buckets], sum: h.sum, count: h.count });
      else {
        h.buckets.forEach((n, i) => (mine.buckets[i] = (mine.buckets[i] ?? 0) + n));
        mine.sum += h.sum;
        mine.count += h.count;
      }
    }
  }

  /** Saves what changed, and forgets series not reported for SERIES_TTL_MS. */
  async alarm(): Promise<void> {
    const s = this.load();
    const sql = this.ctx.storage.sql;
    for (const k of this.dirty) {
      const [kind, value] = s.counters.has(k) ? ['counter', String(s.counters.get(k))]
        : s.gauges.has(k) ? ['gauge', String(s.gauges.get(k))]
        : ['histogram', JSON.stringify(s.histograms.get(k))];
      sql.exec(`insert into metric_series (key, kind, value, updated_at) values (?, ?, ?, ?)
                on conflict (key) do update set kind = excluded.kind, value = excluded.value, updated_at = excluded.updated_at`,
        k, kind, value, this.updatedAt.get(k) ?? Date.now());
    }
    this.dirty.clear();
    const cutoff = Date.now() - SERIES_TTL_MS;
    for (const [k, at] of this.updatedAt) {
      if (at >= cutoff) continue;
      s.counters.delete(k);
      s.gauges.delete(k);
      s.histograms.delete(k);
      this.updatedAt.delete(k);
    }
    sql.exec(`delete from metric_series where updated_at < ?`, cutoff);
  }

  /** Prometheus text of everything summed here, plus `extra` series (the scrape-time gauges). */
  async render(extra?: Partial<Pick<Series, 'gauges'>>): Promise<string> {
    const s = this.load();
    const now = Date.now();
    for (const [id, { at }] of this.isolates) if (now - at > ISOLATE_WINDOW_MS) this.isolates.delete(id);
    const gauges = new Map([...s.gauges, ...(extra?.gauges ?? []), [seriesKey('tt_metrics_isolates'), this.isolates.size]]);
    const counters = this.dropped ? new Map([...s.counters, [seriesKey('tt_metrics_series_dropped_total'), this.dropped]]) : s.counters;
    return render({ counters, histograms: s.histograms, gauges });
  }
}
