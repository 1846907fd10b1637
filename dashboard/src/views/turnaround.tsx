// A flight's turnaround milestones (OnBlock … OffBlock, the domain's order) as a segmented bar.
import type { FlightDetails } from '../api';
import { fmtTime, minutes } from '../util';

export const MILESTONES = [
  'OnBlock', 'DoorsOpen', 'UnloadingStarted', 'UnloadingCompleted', 'FuelingStarted', 'FuelingCompleted', 'CateringCompleted',
  'CleaningCompleted', 'LoadingStarted', 'LoadingCompleted', 'BoardingStarted', 'BoardingCompleted', 'DoorsClosed',
  'PushbackRequested', 'OffBlock',
] as const;
export const milestoneLabel = (m: string) => m.replace(/([A-Z])/g, ' $1').trim().replace(/^On Block$/, 'On block').replace(/^Off Block$/, 'Off block');

export function Turnaround({ d, tz, compact }: { d: FlightDetails; tz: string; compact?: boolean }) {
  const ms = d.milestones ?? {};
  const done = MILESTONES.filter((m) => ms[m]).length;
  const turn = minutes(ms.OnBlock, ms.OffBlock);
  return (
    <div class={`turnaround ${compact ? 'compact' : ''}`}>
      <div class="segments" role="img" aria-label={`${done} of ${MILESTONES.length} turnaround milestones recorded`}>
        {MILESTONES.map((m) => (
          <span key={m} class={ms[m] ? 'seg done' : 'seg'} title={`${milestoneLabel(m)}${ms[m] ? ` ${fmtTime(ms[m], tz)}` : ': not yet'}`} />
        ))}
      </div>
      <div class="ta-text">
        {done === 0 ? (
          <span class="muted">not on block yet</span>
        ) : (
          <>
            <span>{milestoneLabel(d.lastMilestone ?? MILESTONES.filter((m) => ms[m]).pop() ?? '')}</span>
            <span class="muted">
              {' '}
              {done}/{MILESTONES.length}
              {turn !== null ? ` · ${turn} min on stand` : ms.OnBlock ? ` · on block ${fmtTime(ms.OnBlock, tz)}` : ''}
            </span>
          </>
        )}
      </div>
    </div>
  );
}

export function MilestoneList({ d, tz }: { d: FlightDetails; tz: string }) {
  const ms = d.milestones ?? {};
  return (
    <ol class="milestones">
      {MILESTONES.map((m) => (
        <li key={m} class={ms[m] ? 'done' : ''}>
          <span class="m-name">{milestoneLabel(m)}</span>
          <span class="m-time">{ms[m] ? fmtTime(ms[m], tz) : '—'}</span>
        </li>
      ))}
    </ol>
  );
}
