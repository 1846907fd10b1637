// Cargo shipments (air waybills); status codes follow IATA Cargo-IMP FSU.
import { z } from 'zod';
import { airportOf } from './airports';
import { accept, assertNever, reject, type CommandContext, type Decision } from './decision';
import { flightIdSchema, uldIdSchema } from './ids';

export const SHIPMENT_CODES = ['BKD', 'RCS', 'FOH', 'PRE', 'MAN', 'DEP', 'TRM', 'ARR', 'RCF', 'NFD', 'AWD', 'CCD', 'DLV', 'DIS'] as const;
export const DISCREPANCIES = ['MSCA', 'FDCA', 'DMCA', 'MSAW', 'FDAW', 'OFLD', 'OVCD', 'SSPD'] as const;

const statusData = z
  .strictObject({
    code: z.enum(SHIPMENT_CODES),
    pieces: z.int().min(0).max(100_000),
    weightKg: z.number().min(0).max(1_000_000),
    flight: flightIdSchema.optional(),
    uld: uldIdSchema.optional(),
    discrepancy: z.enum(DISCREPANCIES).optional(),
  })
  .refine((d) => d.code !== 'DIS' || d.discrepancy, { path: ['discrepancy'], message: 'a DIS status names its discrepancy (MSCA, FDCA, DMCA, …)' })
  .refine((d) => d.code === 'DIS' || !d.discrepancy, { path: ['discrepancy'], message: 'only a DIS status carries a discrepancy' });

export const shipmentEventSchemas = { ShipmentStatusRecorded: { 1: statusData } };

export type ShipmentEvent = { type: 'ShipmentStatusRecorded'; data: z.infer<typeof statusData>; location: string | null };

export type ShipmentState = {
  lastCode: (typeof SHIPMENT_CODES)[number] | null;
  piecesReceived: number; // the most pieces received anywhere
  piecesDelivered: number;
  received: Record<string, number>; // airport -> pieces received there (RCS or RCF)
  delivered: boolean;
};

export const initialShipmentState = (): ShipmentState => ({ lastCode: null, piecesReceived: 0, piecesDelivered: 0, received: {}, delivered: false });

export function evolveShipment(state: ShipmentState, event: ShipmentEvent): ShipmentState {
  switch (event.type) {
    case 'ShipmentStatusRecorded': {
      const d = event.data;
      const next = { ...state, lastCode: d.code };
      if (d.code === 'RCS' || d.code === 'RCF') {
        next.piecesReceived = Math.max(state.piecesReceived, d.pieces);
        if (event.location) {
          const airport = airportOf(event.location);
          next.received = { ...state.received, [airport]: Math.max(state.received[airport] ?? 0, d.pieces) };
        }
      }
      if (d.code === 'DLV') {
        next.piecesDelivered = state.piecesDelivered + d.pieces;
        next.delivered = true;
      }
      return next;
    }
    default:
      return assertNever(event.type);
  }
}

export const shipmentCommandSchemas = { RecordShipmentStatus: statusData };
export type ShipmentCommand = { type: 'RecordShipmentStatus'; data: z.infer<typeof statusData> };

export function decideShipment(cmd: ShipmentCommand, state: ShipmentState, ctx: CommandContext): Decision<ShipmentEvent> {
  switch (cmd.type) {
    case 'RecordShipmentStatus': {
      const d = cmd.data;
      if (state.delivered && d.code !== 'DIS' && !(d.code === 'DLV' && state.piecesDelivered < state.piecesReceived)) {
        return reject('status_after_delivery', `after DLV only DIS (or the rest of a split delivery) is accepted, not ${d.code}`);
      }
      if (d.code === 'DLV') {
        if (!ctx.location) return reject('location_required', 'a delivery names where it happened');
        const airport = airportOf(ctx.location);
        const receivedHere = state.received[airport];
        if (receivedHere === undefined) {
          return reject('delivery_before_receipt', `the shipment was not received (RCS or RCF) at ${airport}`);
        }
        if (state.piecesDelivered + d.pieces > receivedHere) {
          return reject('delivered_exceeds_received', `${state.piecesDelivered + d.pieces} pieces delivered would exceed the ${receivedHere} received at ${airport}`);
        }
      }
      return accept({ type: 'ShipmentStatusRecorded', data: d, location: ctx.location });
    }
    default:
      return assertNever(cmd.type);
  }
}
