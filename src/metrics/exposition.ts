// Prometheus text exposition (format 0.0.4), the format prom-client writes: # HELP and # TYPE once
// per metric, histograms as cumulative _bucket{le} lines with _sum and _count.
import { METRICS, type MetricName } from './catalog';
import type { Histogram } from './registry';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Series = { counters: Map<string, number>; histograms: Map<string, Histogram>; gauges: Map<string, number> };

const nameOf = (key: string) => {
  const i = key.indexOf('{');
  return i < 0 ? key : key.slice(0, i);
};
const labelsOf = (key: string) => {
  const i = key.indexOf('{');
  return i < 0 ? '' : key.slice(i + 1, -1);
};
const num = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN');

function histogramLines(key: string, h: Histogram): string[] {
  const name = nameOf(key);
  const labels = labelsOf(key);
  const bounds = (METRICS[name as MetricName] as { buckets?: number[] }).buckets ?? [];
  const at = (le: string) => `${name}_bucket{${labels ? `${labels},` : ''}le="${le}"}`;
  let cumulative = 0;
  const lines = bounds.map((b, i) => `${at(String(b))} ${(cumulative += h.buckets[i] ?? 0)}`);
  lines.push(`${at('+Inf')} ${h.count}`);
  const suffix = labels ? `{${labels}}` : '';
  lines.push(`${name}_sum${suffix} ${num(h.sum)}`, `${name}_count${suffix} ${h.count}`);
  return lines;
}

/** The text for every series, grouped by metric in catalogue order, series sorted by labels; metrics without series are left out. */
export function render(s: Series): string {
  const byName = new Map<string, [string, string[]][]>();
  const add = (key: string, lines: string[]) => {
    const name = nameOf(key);
    (byName.get(name) ?? byName.set(name, []).get(name)!).push([key, lines]);
  };
  for (const [k, v] of s.counters) add(k, [`${k} ${num(v)}`]);
  for (const [k, v] of s.gauges) add(k, [`${k} ${num(v)}`]);
  for (const [k, h] of s.histograms) add(k, histogramLines(k, h));
  const out: string[] = [];
  for (const name of Object.keys(METRICS) as MetricName[]) {
    const series = byName.get(name);
    if (!series) continue;
    out.push(`# HELP ${name} ${METRICS[name].help}`, `# TYPE ${name} ${METRICS[name].type}`);
    for (const [, lines] of series.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out.push(...lines);
  }
  return out.join('\n') + '\n';
}
