import { z } from 'zod';
import { airportSchema, airportTimeZone } from './airports';
import { accept, assertNever, reject, type CommandContext, type Decision } from './decision';
import { flightIdSchema } from './ids';

export const FLIGHT_STATUSES = ['Scheduled', 'CheckInOpen', 'Boarding', 'Departed', 'Arrived', 'Delayed', 'Cancelled', 'Diverted'] as const;
export type FlightStatus = (typeof FLIGHT_STATUSES)[number];

/** The v1 vocabulary (stored before v2) and the v2 status each word maps to. */
export const V1_STATUS: Record<string, FlightStatus> = {
  SCHEDULED: 'Scheduled', ON_TIME: 'Scheduled', CHECKIN: 'CheckInOpen', BOARDING: 'Boarding', DEPARTED: 'Departed',
  AIRBORNE: 'Departed', LANDED: 'Arrived', ARRIVED: 'Arrived', DELAYED: 'Delayed', CANCELLED: 'Cancelled', DIVERTED: 'Diverted',
};

export const MILESTONES = [
  'OnBlock', 'DoorsOpen', 'UnloadingStarted', 'UnloadingCompleted', 'FuelingStarted', 'FuelingCompleted', 'CateringCompleted',
  'CleaningCompleted', 'LoadingStarted', 'LoadingCompleted', 'BoardingStarted', 'BoardingCompleted', 'DoorsClosed',
  'PushbackRequested', 'OffBlock',
] as const;
export type Milestone = (typeof MILESTONES)[number];

const instant = z.iso.datetime({ offset: true });

export const flightEventSchemas = {
  FlightScheduled: {
    1: z.strictObject({
      flightNumber: z.string().regex(/^[A-Z0-9]{2}\d{1,4}[A-Z]?$/, 'a flight number is an airline code and 1-4 digits'),
      scheduledDeparture: instant,
      scheduledArrival: instant,
      origin: airportSchema,
      destination: airportSchema,
      aircraftRegistration: z.string().regex(/^[A-Z0-9-]{2,10}$/).optional(),
    }),
  },
  FlightStatusChanged: {
    1: z.strictObject({
      flightId: flightIdSchema,
      status: z.enum(Object.keys(V1_STATUS) as [string, ...string[]]),
      newStatus: z.enum(Object.keys(V1_STATUS) as [string, ...string[]]),
      timestamp: instant,
      reason: z.string().max(500).optional(),
      location: z.string().max(64).optional(),
      delayMinutes: z.int().min(0).max(10_000).optional(),
    }),
    2: z.strictObject({
      flightId: flightIdSchema,
      oldStatus: z.enum(FLIGHT_STATUSES).nullable(),
      newStatus: z.enum(FLIGHT_STATUSES),
      timestamp: instant,
      reason: z.string().max(500),
      updatedBy: z.string().max(200),
      locationCode: z.string().max(64),
      delayMinutes: z.int().min(0).max(10_000),
    }),
  },
  TurnaroundMilestoneRecorded: {
    1: z.strictObject({ milestone: z.enum(MILESTONES), at: instant }),
  },
};

export type FlightEvent =
  | { type: 'FlightScheduled'; data: z.infer<(typeof flightEventSchemas.FlightScheduled)[1]> }
  | { type: 'FlightStatusChanged'; data: z.infer<(typeof flightEventSchemas.FlightStatusChanged)[2]> }
  | { type: 'TurnaroundMilestoneRecorded'; data: z.infer<(typeof flightEventSchemas.TurnaroundMilestoneRecorded)[1]> };

export type FlightState = {
  scheduled: { departure: string; arrival: string; origin: string; destination: string } | null;
  status: FlightStatus | null;
  delayMinutes: number;
  milestones: Partial<Record<Milestone, string>>;
};

export const initialFlightState = (): FlightState => ({ scheduled: null, status: null, delayMinutes: 0, milestones: {} });

export function evolveFlight(state: FlightState, event: FlightEvent): FlightState {
  switch (event.type) {
    case 'FlightScheduled': {
      const d = event.data;
      return { ...state, scheduled: { departure: d.scheduledDeparture, arrival: d.scheduledArrival, origin: d.origin, destination: d.destination }, status: state.status ?? 'Scheduled' };
    }
    case 'FlightStatusChanged':
      return { ...state, status: event.data.newStatus, delayMinutes: event.data.delayMinutes };
    case 'TurnaroundMilestoneRecorded':
      return { ...state, milestones: { ...state.milestones, [event.data.milestone]: event.data.at } };
    default:
      return assertNever(event);
  }
}

export const flightCommandSchemas = {
  ScheduleFlight: z.strictObject({
    scheduledDeparture: instant,
    scheduledArrival: instant,
    origin: airportSchema,
    destination: airportSchema,
    aircraftRegistration: z.string().regex(/^[A-Z0-9-]{2,10}$/).optional(),
  }),
  ChangeFlightStatus: z.strictObject({
    newStatus: z.enum(FLIGHT_STATUSES),
    reason: z.string().max(500).optional(),
    delayMinutes: z.int().min(0).max(10_000).optional(),
  }),
  RecordTurnaroundMilestone: z.strictObject({ milestone: z.enum(MILESTONES) }),
};

export type FlightCommand =
  | { type: 'ScheduleFlight'; data: z.infer<typeof flightCommandSchemas.ScheduleFlight> }
  | { type: 'ChangeFlightStatus'; data: z.infer<typeof flightCommandSchemas.ChangeFlightStatus> }
  | { type: 'RecordTurnaroundMilestone'; data: z.infer<typeof flightCommandSchemas.RecordTurnaroundMilestone> };

// Where a status may go next. Arrived and Cancelled are final.
const NEXT: Record<FlightStatus, readonly FlightStatus[]> = {
  Scheduled: ['CheckInOpen', 'Boarding', 'Delayed', 'Cancelled', 'Departed'],
  CheckInOpen: ['Boarding', 'Delayed', 'Cancelled', 'Departed'],
  Boarding: ['Departed', 'Delayed', 'Cancelled'],
  Delayed: ['Delayed', 'CheckInOpen', 'Boarding', 'Departed', 'Cancelled'],
  Departed: ['Arrived', 'Diverted'],
  Diverted: ['Arrived'],
  Arrived: [],
  Cancelled: [],
};

// A milestone that finishes something needs the start recorded first.
const NEEDS: Partial<Record<Milestone, Milestone>> = {
  UnloadingCompleted: 'UnloadingStarted',
  FuelingCompleted: 'FuelingStarted',
  LoadingCompleted: 'LoadingStarted',
  BoardingCompleted: 'BoardingStarted',
  PushbackRequested: 'DoorsClosed',
};

export function decideFlight(cmd: FlightCommand, state: FlightState, ctx: CommandContext): Decision<FlightEvent> {
  switch (cmd.type) {
    case 'ScheduleFlight': {
      if (state.scheduled) return reject('flight_already_scheduled', 'the flight is already scheduled');
      if (Date.parse(cmd.data.scheduledArrival) <= Date.parse(cmd.data.scheduledDeparture)) {
        return reject('arrival_before_departure', 'scheduledArrival must be after scheduledDeparture');
      }
      if (cmd.data.origin === cmd.data.destination) return reject('same_origin_and_destination', 'origin and destination are the same airport');
      // the id's date is the scheduled departure's local date at the origin
      const idDate = ctx.entityId.slice(-10);
      const localDate = localDateAt(cmd.data.scheduledDeparture, cmd.data.origin);
      if (localDate && localDate !== idDate) {
        return reject('departure_date_mismatch', `the departure is on ${localDate} local time at ${cmd.data.origin}, but the flight id says ${idDate}`);
      }
      return accept({ type: 'FlightScheduled', data: { flightNumber: ctx.entityId.slice(0, ctx.entityId.indexOf('-')), ...cmd.data } });
    }
    case 'ChangeFlightStatus': {
      if (!state.scheduled) return reject('flight_not_scheduled', 'schedule the flight before changing its status');
      const from = state.status ?? 'Scheduled';
      const to = cmd.data.newStatus;
      if (!NEXT[from].includes(to)) {
        return reject(NEXT[from].length ? 'invalid_status_transition' : 'flight_closed', `a ${from} flight cannot become ${to}`);
      }
      return accept({
        type: 'FlightStatusChanged',
        data: {
          flightId: ctx.entityId, oldStatus: from, newStatus: to, timestamp: ctx.at,
          reason: cmd.data.reason ?? 'Not specified', updatedBy: ctx.actor.slice(0, 200),
          locationCode: ctx.location ?? state.scheduled.origin,
          // a delay stays until a later status says otherwise (a delayed flight boards late too)
          delayMinutes: cmd.data.delayMinutes ?? (to === 'Cancelled' ? 0 : state.delayMinutes),
        },
      });
    }
    case 'RecordTurnaroundMilestone': {
      const m = cmd.data.milestone;
      const seen = state.milestones;
      if (seen.OffBlock) return reject('turnaround_finished', 'the turnaround ended with OffBlock');
      if (seen[m]) return reject('milestone_already_recorded', `${m} is already recorded`);
      if (m !== 'OnBlock' && !seen.OnBlock) return reject('milestone_before_on_block', `${m} cannot come before OnBlock`);
      const needed = NEEDS[m];
      if (needed && !seen[needed]) return reject('milestone_out_of_order', `${m} needs ${needed} first`);
      if (seen.OnBlock && Date.parse(ctx.at) < Date.parse(seen.OnBlock)) return reject('milestone_before_on_block', `${m} is timed before OnBlock`);
      return accept({ type: 'TurnaroundMilestoneRecorded', data: { milestone: m, at: ctx.at } });
    }
    default:
      return assertNever(cmd);
  }
}

/** yyyy-mm-dd of an instant in the airport's time zone (undefined when the dataset has no zone). */
export function localDateAt(instant: string, airport: string): string | undefined {
  const timeZone = airportTimeZone(airport);
  if (!timeZone) return undefined;
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
  } catch {
    return undefined; // a zone name the runtime does not know
  }
}
