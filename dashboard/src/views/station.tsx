// The heading and station field shared by the station views (the airport board, the metrics).
import type { ComponentChildren } from 'preact';
import type { LiveState } from '../live';
import { LiveBadge } from '../util';

/** A station view's heading: its title, the station and the live-updates badge. */
export const StationHead = ({ title, station, live }: { title: string; station: string; live: { state: LiveState; detail?: string } }) => (
  <div class="view-head">
    <h1>
      {title} <span class="muted">{station}</span>
    </h1>
    <LiveBadge {...live} />
  </div>
);

/** The toolbar's station field: a three-letter IATA code, submitted upper-cased. */
export function StationForm(p: { value: string; onInput: (v: string) => void; onSubmit: (station: string) => void; ariaLabel?: string; children?: ComponentChildren }) {
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (/^[A-Za-z]{3}$/.test(p.value)) p.onSubmit(p.value.toUpperCase());
      }}
    >
      <label>
        Station <input class="short" value={p.value} maxLength={3} aria-label={p.ariaLabel} onInput={(e) => p.onInput((e.target as HTMLInputElement).value)} />
      </label>
      {p.children}
    </form>
  );
}
