// Operational metrics from the metrics read model (GET /v1/metrics/operations) as charts, for a
// station and a time range; refetched (at most every 5 s) when the station's entities change.
import { useEffect, useState } from 'preact/hooks';
import { api, qs, type Metric } from '../api';
import { useLive, useThrottled } from '../live';
import { Empty, ErrorBox, fmtNum, href, Loading, tzOf, useLoad } from '../util';
import { MetricChart } from './Chart';
import { StationForm, StationHead } from './station';

const METRICS = [
  { id: 'turnaround', title: 'Turnaround', sub: 'on block → off block, minutes (bar p50, whisker p95)', kind: 'duration' },
  { id: 'delay', title: 'Departure delay', sub: 'minutes late at departure (p50, p95)', kind: 'duration' },
  { id: 'cargo_dwell', title: 'Cargo dwell', sub: 'RCS → DEP (exports), RCF → DLV (imports), minutes', kind: 'duration' },
  { id: 'mishandled_per_1000', title: 'Mishandled bags', sub: 'accepted (grey), mishandled (red)', kind: 'rate' },
] as const;
const RANGES: Record<string, { label: string; hours: number }> = {
  '24h': { label: 'Last 24 h', hours: 24 },
  '72h': { label: 'Last 3 days', hours: 72 },
  '7d': { label: 'Last 7 days', hours: 168 },
  '30d': { label: 'Last 30 days', hours: 720 },
};
/** datetime-local value (browser's zone) ↔ ISO */
const toLocalInput = (iso: string) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

export function MetricsView({ query }: { query: URLSearchParams }) {
  const station = (query.get('location') ?? 'LIM').toUpperCase();
  const range = query.get('range') ?? (query.get('from') ? 'custom' : '24h');
  const hours = RANGES[range]?.hours;
  // a preset range ends now at every (re)load, so live refreshes take in what just happened
  const windowNow = () => {
    const now = Date.now();
    return range === 'custom'
      ? { from: query.get('from') ?? new Date(now - 86_400_000).toISOString(), to: query.get('to') ?? new Date(now).toISOString() }
      : { from: new Date(now - (hours ?? 24) * 3_600_000).toISOString(), to: new Date(now).toISOString() };
  };
  const { from, to } = windowNow();
  const spanH = (Date.parse(to) - Date.parse(from)) / 3_600_000;
  const bucket = query.get('bucket') ?? (spanH > 72 ? 'day' : 'hour');
  const tz = tzOf(station);
  const set = (p: Record<string, string | undefined>) => {
    const q: Record<string, string | undefined> = { location: station, range, bucket: query.get('bucket') ?? undefined, from: query.get('from') ?? undefined, to: query.get('to') ?? undefined, ...p };
    if (q.range !== 'custom') delete q.from, delete q.to;
    location.hash = href(['metrics'], q);
  };
  const [draft, setDraft] = useState({ from: toLocalInput(from), to: toLocalInput(to) });
  useEffect(() => setDraft({ from: toLocalInput(from), to: toLocalInput(to) }), [range, query.get('from'), query.get('to')]);
  const [stationDraft, setStationDraft] = useState(station);

  const all = useLoad(
    () => {
      const w = windowNow();
      return Promise.all(METRICS.map((m) => api<Metric>(`/v1/metrics/operations${qs({ metric: m.id, location: station, from: w.from, to: w.to, bucket })}`)));
    },
    [station, range, query.get('from'), query.get('to'), bucket],
  );
  const refresh = useThrottled(() => all.reload(), 5_000);
  const live = useLive({ location: station }, { onChange: refresh, onResync: refresh });

  return (
    <section class="view">
      <StationHead title="Operational metrics" station={station} live={live} />
      <div class="card toolbar">
        <StationForm value={stationDraft} onInput={setStationDraft} onSubmit={(s) => set({ location: s })} />
        <div class="seg-buttons" role="group" aria-label="Time range">
          {Object.entries(RANGES).map(([k, r]) => (
            <button key={k} class={`btn small ${range === k ? 'on' : ''}`} onClick={() => set({ range: k })}>
              {r.label}
            </button>
          ))}
        </div>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (draft.from && draft.to && draft.from < draft.to) set({ range: 'custom', from: new Date(draft.from).toISOString(), to: new Date(draft.to).toISOString() });
          }}
        >
          <label title="in your browser's time zone">
            From <input type="datetime-local" value={draft.from} onInput={(e) => setDraft({ ...draft, from: (e.target as HTMLInputElement).value })} />
          </label>
          <label>
            To <input type="datetime-local" value={draft.to} onInput={(e) => setDraft({ ...draft, to: (e.target as HTMLInputElement).value })} />
          </label>
          <button class="btn small" type="submit" disabled={!draft.from || !draft.to || draft.from >= draft.to}>
            Apply
          </button>
        </form>
        <label>
          Per
          <select value={bucket} onChange={(e) => set({ bucket: (e.target as HTMLSelectElement).value })}>
            <option value="hour">hour</option>
            <option value="day">day</option>
          </select>
        </label>
      </div>
      {all.loading && !all.data && <Loading what="metrics" />}
      {all.error && <ErrorBox error={all.error} retry={all.reload} what="metrics" />}
      {all.data && (
        <div class="charts">
          {METRICS.map((m, i) => {
            const d = all.data![i]!;
            const n = d.buckets.reduce((a, b) => a + b.count, 0);
            const accepted = d.buckets.reduce((a, b) => a + (b.accepted ?? 0), 0);
            const summary =
              m.kind === 'rate'
                ? accepted
                  ? `${n} mishandled of ${fmtNum(accepted)} bags accepted over the range`
                  : n
                    ? `${n} mishandled, no bags accepted in the range`
                    : ''
                : n
                  ? `${n} samples · p50 up to ${fmtNum(Math.max(...d.buckets.map((b) => b.p50 ?? 0)), 1)} · max ${fmtNum(Math.max(...d.buckets.map((b) => b.max ?? 0)), 1)} min`
                  : '';
            return (
              <div class="card chart-card" key={m.id} data-testid={`chart-${m.id}`}>
                <div class="chart-head">
                  <h2>{m.title}</h2>
                  <span class="muted small">{m.sub}</span>
                  {m.kind === 'rate' && accepted > 0 && (
                    <span class="kpi" title="mishandled per 1,000 accepted over the whole range">
                      <span class="kpi-value">{fmtNum((n / accepted) * 1000, 1)}</span> <span class="muted small">per 1,000 accepted</span>
                    </span>
                  )}
                </div>
                {d.buckets.length ? (
                  <>
                    <MetricChart data={d} tz={tz} kind={m.kind} />
                    <div class="chart-summary">{summary}</div>
                  </>
                ) : (
                  <Empty>No samples at {station} in this range.</Empty>
                )}
              </div>
            );
          })}
        </div>
      )}
      <p class="muted small">
        Buckets are UTC {bucket}s; labels in {tz}. Samples come from the metrics read model (a flight’s turnaround once it is off block, a shipment’s dwell once it departs or is delivered).
      </p>
    </section>
  );
}
