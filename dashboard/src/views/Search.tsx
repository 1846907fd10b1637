// Search by AWB, bag tag, ULD or flight, and an entity's status + timeline (live: entity=type/id).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs, type EntityType, type Page, type Status, type TimelineItem } from '../api';
import { useLive, useThrottled } from '../live';
import { ago, Badge, Empty, ErrorBox, fmtDateTime, fmtNum, href, LiveBadge, Loading, Table, useLoad } from '../util';

type Target = { type: EntityType; id: string } | { flightNo: string } | { error: string };

/** What the text names: AWB 045-12345675, bag tag 0045123456, ULD AKE12345LA, flight LA2047[-2026-11-23], equipment TUG-07. */
export function identify(raw: string): Target {
  const q = raw.trim().toUpperCase().replace(/\s+/g, '');
  if (!q) return { error: 'Type an air waybill, bag tag, ULD or flight.' };
  let m: RegExpExecArray | null;
  if ((m = /^(\d{3})-?(\d{8})$/.exec(q))) return { type: 'shipment', id: `${m[1]}-${m[2]}` };
  if (/^\d{10}$/.test(q)) return { type: 'baggage', id: q };
  if (/^[A-Z]{3}\d{4,5}[A-Z0-9]{2}$/.test(q)) return { type: 'uld', id: q };
  if (/^[A-Z0-9]{2}\d{1,4}[A-Z]?-\d{4}-\d{2}-\d{2}$/.test(q)) return { type: 'flight', id: q };
  if (/^[A-Z0-9]{2}\d{1,4}[A-Z]?$/.test(q)) return { flightNo: q };
  if (/^[A-Z]{2,10}-\d{1,6}$/.test(q)) return { type: 'equipment', id: q };
  return { error: `“${raw.trim()}” is not an air waybill (045-12345675), bag tag (0045123456), ULD (AKE12345LA), flight (LA2047 or LA2047-2026-11-23) or equipment (TUG-07).` };
}

const TYPE_LABEL: Record<string, string> = { shipment: 'Shipment', baggage: 'Bag', uld: 'ULD', flight: 'Flight', equipment: 'Equipment' };

function SearchBox({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  useEffect(() => setText(initial), [initial]);
  return (
    <form
      class="searchbox"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        const t = identify(text);
        location.hash = 'type' in t ? href(['entity', t.type, t.id]) : href(['search'], { q: text.trim() });
      }}
    >
      <input
        type="search"
        name="q"
        aria-label="Air waybill, bag tag, ULD or flight"
        placeholder="AWB 045-41000002 · bag 0045210007 · ULD AKE12345LA · flight LA2047"
        value={text}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
      />
      <button class="btn primary" type="submit">
        Search
      </button>
    </form>
  );
}

async function flightsNumbered(no: string) {
  const found: Status[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 5; i++) {
    const page = await api<Page<Status>>(`/v1/entities${qs({ type: 'flight', limit: 200, cursor })}`);
    found.push(...page.items.filter((s) => s.entityId.startsWith(`${no}-`)));
    if (!page.next) break;
    cursor = page.next;
  }
  return found.sort((a, b) => b.entityId.localeCompare(a.entityId));
}

export function SearchView({ q }: { q: string }) {
  const target = q ? identify(q) : null;
  const flights = useLoad(target && 'flightNo' in target ? () => flightsNumbered(target.flightNo) : null, [q]);
  const recent = useLoad(!q ? () => api<Page<Status>>(`/v1/entities${qs({ limit: 15 })}`) : null, [q]);
  // a link straight to #/search?q=<an id> opens that entity
  useEffect(() => {
    if (target && 'type' in target) location.replace(href(['entity', target.type, target.id]));
  }, [q]);
  return (
    <section class="view">
      <div class="view-head">
        <h1>Search</h1>
      </div>
      <SearchBox initial={q} />
      {target && 'error' in target && <div class="state error">{target.error}</div>}
      {target && 'flightNo' in target && (
        <div class="card">
          <h2>Flights {target.flightNo}</h2>
          {flights.loading && <Loading what="flights" />}
          {flights.error && <ErrorBox error={flights.error} retry={flights.reload} what="flights" />}
          {flights.data && !flights.data.length && <Empty>No flight {target.flightNo} has been scheduled in this tenant.</Empty>}
          {flights.data && flights.data.length > 0 && <EntityList items={flights.data} />}
        </div>
      )}
      {!q && (
        <div class="card">
          <h2>Recently updated</h2>
          {recent.loading && <Loading what="recent changes" />}
          {recent.error && <ErrorBox error={recent.error} retry={recent.reload} what="recent changes" />}
          {recent.data && !recent.data.items.length && <Empty>Nothing recorded yet in this tenant. With npm start running, npm run seed writes a day at Lima.</Empty>}
          {recent.data && recent.data.items.length > 0 && <EntityList items={recent.data.items} />}
        </div>
      )}
    </section>
  );
}

function EntityList({ items }: { items: Status[] }) {
  return (
    <Table
      head={
        <>
          <th>Kind</th>
          <th>Id</th>
          <th>Status</th>
          <th>Location</th>
          <th>Flight</th>
          <th>Updated</th>
        </>
      }
    >
      {items.map((s) => (
        <tr key={s.streamId}>
          <td>{TYPE_LABEL[s.entityType] ?? s.entityType}</td>
          <td>
            <a href={href(['entity', s.entityType, s.entityId])}>{s.entityId}</a>
          </td>
          <td>
            <Badge s={s.status} />
          </td>
          <td>{s.location ?? '—'}</td>
          <td>{s.flight ? <a href={href(['flight', s.flight])}>{s.flight}</a> : s.entityType === 'flight' ? <a href={href(['flight', s.entityId])}>manifest</a> : '—'}</td>
          <td title={s.updatedAt}>{ago(s.updatedAt)}</td>
        </tr>
      ))}
    </Table>
  );
}

export function EntityView({ type, id }: { type: string; id: string }) {
  const base = `/v1/entities/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
  const status = useLoad(() => api<Status>(base), [base]);
  const [items, setItems] = useState<TimelineItem[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [tlError, setTlError] = useState<ReturnType<typeof useLoad>['error']>();
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const known = useRef<Set<number>>(new Set());

  const loaded = useRef(100);
  /** The first `loaded` events (oldest first); mark: highlight the versions not seen before (a live change). */
  const loadTimeline = (mark: boolean) =>
    api<Page<TimelineItem>>(`${base}/timeline${qs({ limit: Math.min(500, loaded.current) })}`).then(
      (p) => {
        setTlError(undefined);
        const added = new Set(p.items.map((i) => i.version).filter((v) => mark && !known.current.has(v)));
        known.current = new Set(p.items.map((i) => i.version));
        setItems(p.items);
        setNext(p.next ?? null);
        if (added.size) setFresh(added);
      },
      (e) => setTlError(e),
    );
  useEffect(() => {
    setItems(null);
    setNext(null);
    setFresh(new Set());
    known.current = new Set();
    loaded.current = 100;
    void loadTimeline(false);
  }, [base]);

  const refresh = useThrottled(() => {
    status.reload();
    void loadTimeline(true);
  }, 500);
  const live = useLive({ entity: `${type}/${id}` }, { onChange: refresh, onResync: refresh });

  const more = () =>
    next &&
    api<Page<TimelineItem>>(`${base}/timeline${qs({ limit: 100, cursor: next })}`).then(
      (p) => {
        setItems((prev) => [...(prev ?? []), ...p.items]);
        for (const i of p.items) known.current.add(i.version);
        loaded.current += p.items.length;
        setNext(p.next ?? null);
      },
      (e) => setTlError(e),
    );

  const s = status.data;
  return (
    <section class="view">
      <div class="view-head">
        <h1>
          <span class="muted">{TYPE_LABEL[type] ?? type}</span> {id}
        </h1>
        <LiveBadge {...live} />
      </div>
      <SearchBox initial="" />
      {status.loading && !s && <Loading what={`${type} ${id}`} />}
      {status.error && !s && <ErrorBox error={status.error} retry={status.reload} what={`${type} ${id}`} />}
      {s && <StatusCard s={s} />}
      <div class="card">
        <h2>Timeline</h2>
        {!items && !tlError && <Loading what="the timeline" />}
        {tlError && !items && <ErrorBox error={tlError} what="the timeline" retry={() => loadTimeline(false)} />}
        {items && !items.length && <Empty>No events yet.</Empty>}
        {items && items.length > 0 && (
          <ol class="timeline" data-testid="timeline">
            {items.map((i) => (
              <li key={i.version} class={fresh.has(i.version) ? 'fresh' : ''}>
                <time title={`occurred ${i.occurredAt}, recorded ${i.recordedAt}`}>{i.localTime ?? fmtDateTime(i.occurredAt)}</time>
                <div class="tl-body">
                  <div class="tl-desc">{i.description}</div>
                  <div class="tl-meta">
                    <code>{i.type}</code>
                    {i.location && <span>{i.location}</span>}
                    {i.actor && <span>by {i.actor}</span>}
                    <span>v{i.version}</span>
                  </div>
                </div>
              </li>
            ))}
          </ol>
        )}
        {next && (
          <button class="btn" onClick={() => void more()}>
            Load more
          </button>
        )}
      </div>
    </section>
  );
}

function StatusCard({ s }: { s: Status }) {
  const details = Object.entries(s.details ?? {}).filter(([k]) => k !== 'milestones');
  const flightLink = s.entityType === 'flight' ? s.entityId : s.flight;
  return (
    <div class="card status-card">
      <div class="status-main">
        <Badge s={s.status} />
        <dl class="kv">
          <dt>Location</dt>
          <dd>{s.location ?? '—'}</dd>
          {s.flight && (
            <>
              <dt>Flight</dt>
              <dd>
                <a href={href(['flight', s.flight])}>{s.flight}</a>
              </dd>
            </>
          )}
          {s.uld && (
            <>
              <dt>ULD</dt>
              <dd>
                <a href={href(['entity', 'uld', s.uld])}>{s.uld}</a>
              </dd>
            </>
          )}
          {s.pieces !== null && (
            <>
              <dt>Pieces / weight</dt>
              <dd>
                {fmtNum(s.pieces)} pcs{s.weightKg !== null ? ` · ${fmtNum(s.weightKg, 1)} kg` : ''}
              </dd>
            </>
          )}
          <dt>Carriers</dt>
          <dd>{s.carriers.length ? s.carriers.join(', ') : '—'}</dd>
          <dt>Last event</dt>
          <dd>
            {s.lastEvent ? `${s.lastEvent.type}, ${fmtDateTime(s.lastEvent.occurredAt)}` : '—'} <span class="muted">(v{s.version})</span>
          </dd>
          {details.map(([k, v]) => (
            <>
              <dt>{k.replace(/([A-Z])/g, ' $1').toLowerCase()}</dt>
              <dd>{typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? fmtDateTime(v) : Array.isArray(v) ? v.join(', ') : typeof v === 'object' && v ? JSON.stringify(v) : String(v)}</dd>
            </>
          ))}
        </dl>
      </div>
      {flightLink && (
        <a class="btn" href={href(['flight', flightLink])}>
          Open flight {flightLink} →
        </a>
      )}
    </div>
  );
}
