// Unit load devices: containers and pallets.
import { z } from 'zod';
import { accept, assertNever, reject, type CommandContext, type Decision } from './decision';
import { awbSchema, bagTagSchema, flightIdSchema } from './ids';

const loaded = z.strictObject({
  flight: flightIdSchema,
  shipments: z.array(awbSchema).max(500).default([]),
  bags: z.array(bagTagSchema).max(500).default([]),
});
const unloaded = z.strictObject({ flight: flightIdSchema.optional() });
const status = z.strictObject({ serviceable: z.boolean() });

export const uldEventSchemas = { UldLoaded: { 1: loaded }, UldUnloaded: { 1: unloaded }, UldStatusChanged: { 1: status } };

export type UldEvent =
  | { type: 'UldLoaded'; data: z.infer<typeof loaded> }
  | { type: 'UldUnloaded'; data: z.infer<typeof unloaded> }
  | { type: 'UldStatusChanged'; data: z.infer<typeof status> };

export type UldState = { flight: string | null; shipments: string[]; bags: string[]; serviceable: boolean };

export const initialUldState = (): UldState => ({ flight: null, shipments: [], bags: [], serviceable: true });

export function evolveUld(state: UldState, event: UldEvent): UldState {
  switch (event.type) {
    case 'UldLoaded':
      return { ...state, flight: event.data.flight, shipments: event.data.shipments ?? [], bags: event.data.bags ?? [] }; // raw appends may omit the lists
    case 'UldUnloaded':
      return { ...state, flight: null, shipments: [], bags: [] };
    case 'UldStatusChanged':
      return { ...state, serviceable: event.data.serviceable };
    default:
      return assertNever(event);
  }
}

export const uldCommandSchemas = { LoadUld: loaded, UnloadUld: unloaded, ChangeUldStatus: status };
export type UldCommand =
  | { type: 'LoadUld'; data: z.infer<typeof loaded> }
  | { type: 'UnloadUld'; data: z.infer<typeof unloaded> }
  | { type: 'ChangeUldStatus'; data: z.infer<typeof status> };

export function decideUld(cmd: UldCommand, state: UldState, _ctx: CommandContext): Decision<UldEvent> {
  switch (cmd.type) {
    case 'LoadUld':
      if (!state.serviceable) return reject('uld_unserviceable', 'an unserviceable ULD cannot be loaded');
      if (state.flight) return reject('uld_already_loaded', `the ULD is loaded for ${state.flight}; unload it first`);
      if (!cmd.data.shipments.length && !cmd.data.bags.length) return reject('uld_load_empty', 'a load lists shipments or bags');
      return accept({ type: 'UldLoaded', data: cmd.data });
    case 'UnloadUld':
      if (!state.flight) return reject('uld_not_loaded', 'the ULD is not loaded');
      if (cmd.data.flight && cmd.data.flight !== state.flight) return reject('uld_loaded_for_other_flight', `the ULD is loaded for ${state.flight}`);
      return accept({ type: 'UldUnloaded', data: { flight: state.flight } });
    case 'ChangeUldStatus':
      if (cmd.data.serviceable === state.serviceable) return reject('uld_status_unchanged', `the ULD is already ${state.serviceable ? 'serviceable' : 'unserviceable'}`);
      if (!cmd.data.serviceable && state.flight) return reject('uld_loaded', 'unload the ULD before taking it out of service');
      return accept({ type: 'UldStatusChanged', data: cmd.data });
    default:
      return assertNever(cmd);
  }
}
