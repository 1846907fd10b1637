// Operational measurements, one sample per measured operation (pure): a turnaround (OnBlock →
// OffBlock), a departure's delay, cargo dwell (RCS → DEP, RCF → DLV), a bag's acceptance → loading,
// and the counts behind mishandled bags per 1,000. Durations are in minutes.
import { airportOf } from '../../domain/airports';
import { carriersOf } from '../carriers';
import type { ProjectionEvent } from '../types';

export const METRICS = ['turnaround', 'delay', 'cargo_dwell', 'bag_accept_to_load', 'mishandled_per_1000'] as const;
export type MetricName = (typeof METRICS)[number];
/** What is stored: the rate is computed on read from two counts. */
export type SampleName = Exclude<MetricName, 'mishandled_per_1000'> | 'bag_accepted' | 'bag_mishandled';

/** What a stream must remember between its events to measure them. */
export type MetricsState = { onBlock?: string; received?: string; arrived?: string; accepted?: string; loaded?: boolean; mishandled?: boolean; origin?: string; flights?: string[] };

export type Sample = { metric: SampleName; at: string; value: number; airport: string | null; carriers: string[] };

const minutes = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 60_000);

export function measure(state: MetricsState | null, e: ProjectionEvent): { state: MetricsState; samples: Sample[] } {
  const s: MetricsState = { ...state };
  const d = e.data;
  const samples: Sample[] = [];
  const airport = e.location ? airportOf(e.location) : null;
  const sample = (metric: SampleName, value: number, where = airport) =>
    samples.push({ metric, at: e.occurredAt, value, airport: where, carriers: carriersOf(e.entityType, e.entityId, s.flights ?? []) });
  switch (e.type) {
    case 'FlightScheduled':
      s.origin = d.origin;
      break;
    case 'FlightStatusChanged':
      if (d.newStatus === 'Departed') sample('delay', d.delayMinutes ?? 0, airport ?? s.origin ?? null);
      break;
    case 'TurnaroundMilestoneRecorded':
      if (d.milestone === 'OnBlock') s.onBlock = d.at;
      if (d.milestone === 'OffBlock' && s.onBlock) {
        sample('turnaround', minutes(s.onBlock, d.at));
        delete s.onBlock; // measured once
      }
      break;
    case 'ShipmentStatusRecorded':
      if (d.flight) s.flights = [...new Set([...(s.flights ?? []), d.flight])];
      if (d.code === 'RCS') s.received ??= e.occurredAt;
      if (d.code === 'RCF') s.arrived ??= e.occurredAt;
      if (d.code === 'DEP') {
        if (s.received) sample('cargo_dwell', minutes(s.received, e.occurredAt));
        delete s.received;
        delete s.arrived; // it left a transit airport: delivery dwell starts at the next arrival
      }
      if (d.code === 'DLV' && s.arrived) {
        sample('cargo_dwell', minutes(s.arrived, e.occurredAt));
        delete s.arrived;
      }
      break;
    case 'BagTagIssued':
      s.flights = d.flights;
      break;
    case 'BagScanned':
      if (d.point === 'Acceptance' && !s.accepted) {
        s.accepted = e.occurredAt;
        sample('bag_accepted', 1);
      }
      if (d.point === 'Loaded' && s.accepted && !s.loaded) {
        sample('bag_accept_to_load', minutes(s.accepted, e.occurredAt));
        s.loaded = true; // a later Loaded scan (a transfer) is not measured again
      }
      break;
    case 'BagMishandled':
      if (!s.mishandled) sample('bag_mishandled', 1); // a bag reported twice is one mishandled bag
      s.mishandled = true;
      break;
  }
  return { state: s, samples };
}
