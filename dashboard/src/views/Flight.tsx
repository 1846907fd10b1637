// A flight's manifest: ULDs → shipments and bags, loose items and totals, refetched on every change
// the subscription (flight=<id>) pushes: a ULD loaded while the page is open appears without a reload.
import { useRef, useState } from 'preact/hooks';
import type { Change } from '../live';
import { api, type Manifest, type ManifestItem } from '../api';
import { useLive, useThrottled } from '../live';
import { Badge, Empty, ErrorBox, fmtDateTime, fmtNum, fmtTime, href, LiveBadge, Loading, statusClass, tzOf, useLoad } from '../util';
import { MilestoneList, Turnaround } from './turnaround';

export function FlightView({ flightId }: { flightId: string }) {
  const seen = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const manifest = useLoad(
    () =>
      api<Manifest>(`/v1/flights/${encodeURIComponent(flightId)}/manifest`).then((m) => {
        const keys = new Set(m.ulds.flatMap((u) => [`uld:${u.id}`, ...u.shipments.map((s) => `s:${u.id}:${s.id}`), ...u.bags.map((b) => `b:${u.id}:${b.id}`)]));
        if (seen.current) setFresh(new Set([...keys].filter((k) => !seen.current!.has(k))));
        seen.current = keys;
        return m;
      }),
    [flightId],
  );
  const refresh = useThrottled(() => manifest.reload(), 400);
  const [activity, setActivity] = useState<Change[]>([]);
  const live = useLive(
    { flight: flightId },
    {
      onChange: (c) => {
        setActivity((a) => [c, ...a.filter((x) => x.cursor !== c.cursor)].slice(0, 4));
        refresh();
      },
      onResync: refresh,
    },
  );
  const m = manifest.data;
  const f = m?.flight;
  const tz = tzOf(f?.origin);
  return (
    <section class="view">
      <div class="view-head">
        <h1>
          <span class="muted">Flight</span> {flightId}
        </h1>
        <LiveBadge {...live} />
        <a class="btn small" href={href(['entity', 'flight', flightId])}>
          Timeline
        </a>
      </div>
      {manifest.loading && !m && <Loading what={`the manifest of ${flightId}`} />}
      {manifest.error && !m && <ErrorBox error={manifest.error} retry={manifest.reload} what={`flight ${flightId}`} />}
      {m && (
        <>
          <div class="card flight-head">
            <div class="flight-info">
            {f ? (
              <>
                <div class="route">
                  <span class="iata">{f.origin ?? '???'}</span>
                  <span class="arrow">→</span>
                  <span class="iata">{f.destination ?? '???'}</span>
                  <Badge s={f.status} />
                  {f.delayMinutes ? <span class="badge bad">+{f.delayMinutes} min</span> : null}
                </div>
                <dl class="kv inline">
                  <dt>Departure</dt>
                  <dd>{fmtDateTime(f.scheduledDeparture, tz)}</dd>
                  <dt>Arrival</dt>
                  <dd>{fmtDateTime(f.scheduledArrival, tzOf(f.destination))}</dd>
                  {f.reason && f.delayMinutes ? (
                    <>
                      <dt>Delay</dt>
                      <dd>{f.reason}</dd>
                    </>
                  ) : null}
                </dl>
                <Turnaround d={f} tz={tz} />
              </>
            ) : (
              <Empty>This flight has not been scheduled (or is not projected yet); what is loaded for it is below.</Empty>
            )}
            </div>
            <div class="activity" aria-live="polite">
              <h3>Live changes</h3>
              {activity.length ? (
                <ul>
                  {activity.map((c) => (
                    <li key={c.cursor}>
                      <time>{fmtTime(c.event.recordedAt, tz)}</time> <code>{c.event.type}</code>{' '}
                      <a
                        href={href(['entity', c.entityType, c.entityId])}
                        onClick={(e) => {
                          const el = c.entityType === 'uld' && document.getElementById(`uld-${c.entityId}`);
                          if (!el) return;
                          e.preventDefault();
                          el.scrollIntoView({ behavior: 'smooth', block: 'center' });
                        }}
                      >
                        {c.entityId}
                      </a>
                    </li>
                  ))}
                </ul>
              ) : (
                <p class="muted small">Loads, scans and status changes for this flight appear here as they happen.</p>
              )}
            </div>
          </div>
          <div class="totals">
            <Stat label="ULDs" value={m.totals.ulds} />
            <Stat label="Shipments" value={m.totals.shipments} />
            <Stat label="Bags" value={m.totals.bags} />
            <Stat label="Pieces" value={m.totals.pieces} />
            <Stat label="Weight" value={`${fmtNum(m.totals.weightKg, 1)} kg`} />
          </div>
          <div class="flight-grid">
            <div class="ulds" data-testid="ulds">
              {!m.ulds.length && !m.loose.shipments.length && !m.loose.bags.length && <Empty>Nothing is loaded on this flight yet. Loads appear here as they are recorded.</Empty>}
              {m.ulds.map((u) => (
                <div key={u.id} id={`uld-${u.id}`} class={`card uld ${fresh.has(`uld:${u.id}`) ? 'fresh' : ''}`} data-uld={u.id}>
                  <div class="uld-head">
                    <h3>
                      <a href={href(['entity', 'uld', u.id])}>{u.id}</a>
                    </h3>
                    <Badge s={u.status} />
                    <span class="muted">
                      {plural(u.shipments.length, 'shipment')} · {plural(u.bags.length, 'bag')}{u.location ? ` · ${u.location}` : ''}
                    </span>
                  </div>
                  <Items kind="shipment" items={u.shipments} fresh={fresh} prefix={`s:${u.id}:`} />
                  <Bags items={u.bags} fresh={fresh} prefix={`b:${u.id}:`} />
                </div>
              ))}
              {(m.loose.shipments.length > 0 || m.loose.bags.length > 0) && (
                <div class="card uld loose">
                  <div class="uld-head">
                    <h3>Loose</h3>
                    <span class="muted">linked to the flight, not in a ULD</span>
                  </div>
                  <Items kind="shipment" items={m.loose.shipments} fresh={fresh} prefix="ls:" />
                  <Bags items={m.loose.bags} fresh={fresh} prefix="lb:" />
                </div>
              )}
            </div>
            {f && (
              <aside class="card">
                <h2>Turnaround</h2>
                <MilestoneList d={f} tz={tz} />
                <p class="muted small">Times in {tz}.</p>
              </aside>
            )}
          </div>
        </>
      )}
    </section>
  );
}

const Stat = ({ label, value }: { label: string; value: number | string }) => (
  <div class="stat">
    <span class="stat-value">{typeof value === 'number' ? fmtNum(value) : value}</span>
    <span class="stat-label">{label}</span>
  </div>
);

function Items({ kind, items, fresh, prefix }: { kind: 'shipment'; items: ManifestItem[]; fresh: Set<string>; prefix: string }) {
  if (!items.length) return null;
  return (
    <table class="table compact">
      <thead>
        <tr>
          <th>{kind === 'shipment' ? 'Air waybill' : 'Bag tag'}</th>
          <th>Status</th>
          {kind === 'shipment' && <th class="num">Pieces</th>}
          {kind === 'shipment' && <th class="num">kg</th>}
          <th>Location</th>
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.id} class={fresh.has(`${prefix}${i.id}`) ? 'fresh' : ''}>
            <td>
              <a href={href(['entity', kind, i.id])}>{i.id}</a>
            </td>
            <td>
              <Badge s={i.status} />
            </td>
            {kind === 'shipment' && <td class="num">{fmtNum(i.pieces)}</td>}
            {kind === 'shipment' && <td class="num">{fmtNum(i.weightKg, 1)}</td>}
            <td>{i.location ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Bags as tags (a ULD holds dozens): the status shows as the chip's colour, details on hover. */
function Bags({ items, fresh, prefix }: { items: ManifestItem[]; fresh: Set<string>; prefix: string }) {
  if (!items.length) return null;
  return (
    <div class="bags">
      <span class="bags-label">Bags</span>
      {items.map((b) => (
        <a key={b.id} class={`chip ${statusClass(b.status)} ${fresh.has(`${prefix}${b.id}`) ? 'fresh' : ''}`} href={href(['entity', 'baggage', b.id])} title={`${b.status ?? '—'} · ${b.location ?? '—'}`}>
          {b.id}
        </a>
      ))}
    </div>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
