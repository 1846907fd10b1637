// Bags, tracked at the IATA Resolution 753 points.
import { z } from 'zod';
import { accept, assertNever, reject, type CommandContext, type Decision } from './decision';
import { flightIdSchema, uldIdSchema } from './ids';

export const BAG_POINTS = ['Acceptance', 'Loaded', 'TransferHandover', 'Arrival', 'Claimed', 'Sorted', 'Screened'] as const;
export const MISHANDLING_REASONS = ['Delayed', 'Damaged', 'Pilfered', 'Lost'] as const;

const tagIssued = z.strictObject({
  passengerRef: z.string().regex(/^[A-Za-z0-9-]{4,64}$/, 'an opaque reference (letters, digits, dashes), never a name'),
  flights: z.array(flightIdSchema).min(1).max(8),
});
const scanned = z.strictObject({ point: z.enum(BAG_POINTS), flight: flightIdSchema.optional(), uld: uldIdSchema.optional() });
const mishandled = z.strictObject({ reason: z.enum(MISHANDLING_REASONS), report: z.string().max(64).optional() });

export const baggageEventSchemas = { BagTagIssued: { 1: tagIssued }, BagScanned: { 1: scanned }, BagMishandled: { 1: mishandled } };

export type BaggageEvent =
  | { type: 'BagTagIssued'; data: z.infer<typeof tagIssued> }
  | { type: 'BagScanned'; data: z.infer<typeof scanned> }
  | { type: 'BagMishandled'; data: z.infer<typeof mishandled> };

export type BaggageState = { flights: string[] | null; points: string[]; lastPoint: string | null; mishandled: string | null };

export const initialBaggageState = (): BaggageState => ({ flights: null, points: [], lastPoint: null, mishandled: null });

export function evolveBaggage(state: BaggageState, event: BaggageEvent): BaggageState {
  switch (event.type) {
    case 'BagTagIssued':
      return { ...state, flights: event.data.flights };
    case 'BagScanned':
      return { ...state, lastPoint: event.data.point, points: state.points.includes(event.data.point) ? state.points : [...state.points, event.data.point] };
    case 'BagMishandled':
      return { ...state, mishandled: event.data.reason };
    default:
      return assertNever(event);
  }
}

export const baggageCommandSchemas = { IssueBagTag: tagIssued, ScanBag: scanned, ReportBagMishandled: mishandled };
export type BaggageCommand =
  | { type: 'IssueBagTag'; data: z.infer<typeof tagIssued> }
  | { type: 'ScanBag'; data: z.infer<typeof scanned> }
  | { type: 'ReportBagMishandled'; data: z.infer<typeof mishandled> };

export function decideBaggage(cmd: BaggageCommand, state: BaggageState, _ctx: CommandContext): Decision<BaggageEvent> {
  switch (cmd.type) {
    case 'IssueBagTag':
      if (state.flights) return reject('tag_already_issued', 'this bag tag was already issued');
      return accept({ type: 'BagTagIssued', data: cmd.data });
    case 'ScanBag': {
      if (!state.flights) return reject('tag_not_issued', 'the bag tag was never issued');
      if (state.lastPoint === 'Claimed') return reject('bag_already_claimed', 'the bag was claimed by its passenger');
      const { point, flight } = cmd.data;
      if (flight && !state.flights.includes(flight)) return reject('flight_not_on_itinerary', `${flight} is not on this bag's itinerary`);
      if (point === 'Loaded' && !state.points.includes('Acceptance')) return reject('loaded_before_acceptance', 'a bag is accepted before it is loaded');
      return accept({ type: 'BagScanned', data: cmd.data });
    }
    case 'ReportBagMishandled':
      if (!state.flights) return reject('tag_not_issued', 'the bag tag was never issued');
      return accept({ type: 'BagMishandled', data: cmd.data });
    default:
      return assertNever(cmd);
  }
}
