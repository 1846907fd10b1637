// The airport board: a station's flights of one day (by the flight id's local departure date), with
// status, delay and turnaround milestones; rows update in place from the subscription
// (location=<station>&type=flight: each change carries the flight's new status row).
import { useEffect, useState } from 'preact/hooks';
import { api, qs, type FlightDetails, type Page, type Status } from '../api';
import { useLive } from '../live';
import { Badge, Empty, ErrorBox, fmtTime, href, Loading, localDate, Table, tzOf, useLoad } from '../util';
import { StationForm, StationHead } from './station';
import { Turnaround } from './turnaround';

const dayOf = (flightId: string) => /-(\d{4}-\d{2}-\d{2})$/.exec(flightId)?.[1] ?? '';

async function stationFlights(station: string) {
  const out: Status[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 5; i++) {
    const p = await api<Page<Status>>(`/v1/entities${qs({ type: 'flight', location: station, limit: 200, cursor })}`);
    out.push(...p.items);
    if (!p.next) break;
    cursor = p.next;
  }
  return out;
}

export function Board({ station, day }: { station: string; day: string | null }) {
  const tz = tzOf(station);
  const flights = useLoad(() => stationFlights(station), [station]);
  const [rows, setRows] = useState<Map<string, Status>>(new Map());
  const [flash, setFlash] = useState<string | null>(null);
  const [draft, setDraft] = useState(station);
  useEffect(() => setDraft(station), [station]);
  useEffect(() => {
    if (flights.data) setRows(new Map(flights.data.map((f) => [f.entityId, f])));
  }, [flights.data]);
  const live = useLive(
    { location: station, type: 'flight' },
    {
      onChange: (c) => {
        if (c.entityType !== 'flight') return;
        setRows((m) => new Map(m).set(c.entityId, c.status));
        setFlash(c.entityId);
      },
      onResync: () => flights.reload(),
    },
  );

  const today = localDate(new Date(), tz);
  const days = [...new Set([...rows.keys()].map(dayOf).filter(Boolean))].sort().reverse();
  const chosen = day ?? (days.includes(today) || !days.length ? today : days[0]!);
  const list = [...rows.values()]
    .filter((f) => dayOf(f.entityId) === chosen)
    .sort((a, b) => String((a.details as FlightDetails)?.scheduledDeparture ?? '').localeCompare(String((b.details as FlightDetails)?.scheduledDeparture ?? '')));
  const go = (p: { station?: string; day?: string }) => (location.hash = href(['board'], { station: p.station ?? station, day: p.day }));

  return (
    <section class="view">
      <StationHead title="Airport board" station={station} live={live} />
      <div class="card toolbar">
        <StationForm value={draft} onInput={setDraft} onSubmit={(s) => go({ station: s })} ariaLabel="Station (IATA code)">
          <button class="btn small" type="submit">
            Show
          </button>
        </StationForm>
        <label>
          Day
          <select value={chosen} onChange={(e) => go({ day: (e.target as HTMLSelectElement).value })}>
            {[...new Set([today, ...days])].sort().reverse().map((d) => (
              <option key={d} value={d}>
                {d}
                {d === today ? ' (today)' : ''}
              </option>
            ))}
          </select>
        </label>
        <span class="muted small">Local departure dates and times, {tz}.</span>
      </div>
      {flights.loading && !flights.data && <Loading what={`flights at ${station}`} />}
      {flights.error && <ErrorBox error={flights.error} retry={flights.reload} what={`flights at ${station}`} />}
      {flights.data && !list.length && (
        <Empty>
          No flights at {station} on {chosen}.{' '}
          {days.length ? (
            <>
              Flights are recorded on{' '}
              {days.slice(0, 5).map((d, i) => (
                <>
                  {i ? ', ' : ''}
                  <a href={href(['board'], { station, day: d })}>{d}</a>
                </>
              ))}
              .
            </>
          ) : (
            <>With npm start running, npm run seed writes a day at Lima.</>
          )}
        </Empty>
      )}
      {list.length > 0 && (
        <div class="card">
          <Table
            class="board"
            testid="board"
            head={
              <>
                <th>Flight</th>
                <th>Route</th>
                <th>Sched.</th>
                <th>Status</th>
                <th>Delay</th>
                <th class="ta-col">Turnaround</th>
              </>
            }
          >
            {list.map((f) => {
              const d = (f.details ?? {}) as FlightDetails;
              const dep = d.origin === station;
              return (
                <tr key={f.entityId} class={flash === f.entityId ? 'fresh' : ''}>
                  <td>
                    <a class="flight-no" href={href(['flight', f.entityId])}>
                      {f.entityId.replace(/-\d{4}-\d{2}-\d{2}$/, '')}
                    </a>
                  </td>
                  <td>
                    {d.origin ?? '?'} → {d.destination ?? '?'} <span class="muted small">{dep ? 'dep' : 'arr'}</span>
                  </td>
                  <td>{fmtTime(dep ? d.scheduledDeparture : d.scheduledArrival, tz)}</td>
                  <td>
                    <Badge s={f.status} />
                  </td>
                  <td>{d.delayMinutes ? <span class="bad-text" title={d.reason}>+{d.delayMinutes} min</span> : <span class="muted">on time</span>}</td>
                  <td class="ta-col">
                    <Turnaround d={d} tz={tz} compact />
                  </td>
                </tr>
              );
            })}
          </Table>
        </div>
      )}
    </section>
  );
}
