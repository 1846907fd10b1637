// Ground support equipment: tugs, belt loaders, dollies.
import { z } from 'zod';
import { accept, assertNever, reject, type CommandContext, type Decision } from './decision';
import { flightIdSchema } from './ids';

const assigned = z.strictObject({ flight: flightIdSchema, task: z.string().min(2).max(64) });
const released = z.strictObject({ flight: flightIdSchema.optional() });
const fault = z.strictObject({ fault: z.string().min(2).max(500) });

export const equipmentEventSchemas = { EquipmentAssigned: { 1: assigned }, EquipmentReleased: { 1: released }, EquipmentFaultReported: { 1: fault } };

export type EquipmentEvent =
  | { type: 'EquipmentAssigned'; data: z.infer<typeof assigned> }
  | { type: 'EquipmentReleased'; data: z.infer<typeof released> }
  | { type: 'EquipmentFaultReported'; data: z.infer<typeof fault> };

export type EquipmentState = { assignment: { flight: string; task: string } | null; fault: string | null };

export const initialEquipmentState = (): EquipmentState => ({ assignment: null, fault: null });

export function evolveEquipment(state: EquipmentState, event: EquipmentEvent): EquipmentState {
  switch (event.type) {
    case 'EquipmentAssigned':
      return { ...state, assignment: { flight: event.data.flight, task: event.data.task } };
    case 'EquipmentReleased':
      return { ...state, assignment: null };
    case 'EquipmentFaultReported':
      return { ...state, fault: event.data.fault };
    default:
      return assertNever(event);
  }
}

export const equipmentCommandSchemas = { AssignEquipment: assigned, ReleaseEquipment: released, ReportEquipmentFault: fault };
export type EquipmentCommand =
  | { type: 'AssignEquipment'; data: z.infer<typeof assigned> }
  | { type: 'ReleaseEquipment'; data: z.infer<typeof released> }
  | { type: 'ReportEquipmentFault'; data: z.infer<typeof fault> };

export function decideEquipment(cmd: EquipmentCommand, state: EquipmentState, _ctx: CommandContext): Decision<EquipmentEvent> {
  switch (cmd.type) {
    case 'AssignEquipment':
      if (state.fault) return reject('equipment_faulty', `the equipment has a reported fault: ${state.fault}`);
      if (state.assignment) return reject('equipment_already_assigned', `the equipment is assigned to ${state.assignment.flight} (${state.assignment.task})`);
      return accept({ type: 'EquipmentAssigned', data: cmd.data });
    case 'ReleaseEquipment':
      if (!state.assignment) return reject('equipment_not_assigned', 'the equipment is not assigned');
      if (cmd.data.flight && cmd.data.flight !== state.assignment.flight) return reject('equipment_assigned_elsewhere', `the equipment is assigned to ${state.assignment.flight}`);
      return accept({ type: 'EquipmentReleased', data: { flight: state.assignment.flight } });
    case 'ReportEquipmentFault':
      return accept({ type: 'EquipmentFaultReported', data: cmd.data });
    default:
      return assertNever(cmd);
  }
}
