// A small hand-written SVG bar chart of a metric's buckets: durations as p50 bars with a p95
// whisker; the mishandled rate as the bags behind it (accepted in grey, mishandled in red over it),
// the rate itself in each bar's tooltip and over the whole range in the card's header.
import type { Metric, MetricBucket } from '../api';
import { fmtNum } from '../util';

const W = 640;
const H = 230;
const M = { l: 46, r: 10, t: 14, b: 30 };

/** A round step (1, 2, 2.5, 5 × 10^k) giving about four intervals up to v. */
function niceStep(v: number) {
  if (v <= 0) return 0.25;
  const raw = v / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

export function MetricChart({ data, tz, kind }: { data: Metric; tz: string; kind: 'duration' | 'rate' }) {
  const stepMs = data.bucket === 'day' ? 86_400_000 : 3_600_000;
  const from = Math.floor(Date.parse(data.from) / stepMs) * stepMs;
  const to = Date.parse(data.to);
  const n = Math.max(1, Math.ceil((to - from) / stepMs));
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const bw = pw / n;
  const top = (b: MetricBucket) => (kind === 'rate' ? Math.max(b.accepted ?? 0, b.count) : (b.p95 ?? b.p50 ?? 0));
  const step = niceStep(Math.max(0, ...data.buckets.map(top)));
  const max = Math.max(step, Math.ceil(Math.max(0, ...data.buckets.map(top)) / step) * step);
  const y = (v: number) => M.t + ph - (v / max) * ph;
  const x = (iso: string) => M.l + ((Date.parse(iso) - from) / stepMs) * bw;
  const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step);
  const fmtX = new Intl.DateTimeFormat('en-GB', data.bucket === 'day' ? { day: '2-digit', month: 'short', timeZone: tz } : { hour: '2-digit', minute: '2-digit', timeZone: tz });
  const labelEvery = Math.max(1, Math.ceil(n / 8));
  const labels: number[] = [];
  for (let i = 0; i < n; i += labelEvery) labels.push(from + i * stepMs);
  const barW = Math.max(1.5, Math.min(bw * 0.7, 36));
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${data.metric} per ${data.bucket}`} data-buckets={data.buckets.length}>
      {ticks.map((t) => (
        <g key={t}>
          <line class="grid" x1={M.l} x2={W - M.r} y1={y(t)} y2={y(t)} />
          <text class="axis" x={M.l - 6} y={y(t) + 4} text-anchor="end">
            {fmtNum(t, step < 1 ? 2 : 0)}
          </text>
        </g>
      ))}
      {labels.map((t) => (
        <text key={t} class="axis" x={M.l + ((t - from) / stepMs + 0.5) * bw} y={H - 10} text-anchor="middle">
          {fmtX.format(new Date(t))}
        </text>
      ))}
      <line class="baseline" x1={M.l} x2={W - M.r} y1={y(0)} y2={y(0)} />
      {data.buckets.map((b) => {
        const cx = x(b.start) + bw / 2;
        const label = new Date(b.start).toLocaleString('en-GB', { timeZone: tz, day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' });
        if (kind === 'rate') {
          const accepted = b.accepted ?? 0;
          const rate = b.value === null || b.value === undefined ? 'no rate: no bags accepted in this ' + data.bucket : `${fmtNum(b.value, 1)} per 1,000`;
          return (
            <g key={b.start} class="bar-group">
              <title>{`${label}: ${b.count} mishandled, ${accepted} accepted (${rate})`}</title>
              {accepted > 0 && <rect class="bar accepted" x={cx - barW / 2} y={y(accepted)} width={barW} height={Math.max(1, y(0) - y(accepted))} />}
              {b.count > 0 && <rect class="bar rate" x={cx - barW / 4} y={y(b.count)} width={barW / 2} height={Math.max(1, y(0) - y(b.count))} />}
            </g>
          );
        }
        const p50 = b.p50 ?? 0;
        const p95 = b.p95 ?? p50;
        return (
          <g key={b.start}>
            <rect class="bar" x={cx - barW / 2} y={y(p50)} width={barW} height={Math.max(1, y(0) - y(p50))}>
              <title>{`${label}: p50 ${fmtNum(p50, 1)}, p95 ${fmtNum(p95, 1)}, min ${fmtNum(b.min, 1)}, max ${fmtNum(b.max, 1)} (${b.count} samples)`}</title>
            </rect>
            {p95 > p50 && (
              <>
                <line class="whisker" x1={cx} x2={cx} y1={y(p95)} y2={y(p50)} />
                <line class="whisker" x1={cx - barW / 3} x2={cx + barW / 3} y1={y(p95)} y2={y(p95)} />
              </>
            )}
          </g>
        );
      })}
    </svg>
  );
}
