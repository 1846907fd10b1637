// Each entity type's model (state, evolve, decide), its events and its command routes, in one table.
import type { ZodType } from 'zod';
import { baggageCommandSchemas, baggageEventSchemas, decideBaggage, evolveBaggage, initialBaggageState } from './baggage';
import type { CommandContext, Decision, Fact } from './decision';
import { decideEquipment, equipmentCommandSchemas, equipmentEventSchemas, evolveEquipment, initialEquipmentState } from './equipment';
import { decideFlight, evolveFlight, flightCommandSchemas, flightEventSchemas, initialFlightState } from './flight';
import type { EntityType } from './identifiers';
import { decideShipment, evolveShipment, initialShipmentState, shipmentCommandSchemas, shipmentEventSchemas } from './shipment';
import { decideUld, evolveUld, initialUldState, uldCommandSchemas, uldEventSchemas } from './uld';

/** An event as decide emits it and evolve folds it: latest schema, with where it happened. */
export type DomainEvent = Fact & { location?: string | null };

export type Model = {
  /** Bump when the state's shape changes: older snapshots are then ignored and rebuilt. */
  stateVersion: number;
  initial: () => unknown;
  evolve: (state: any, event: DomainEvent) => unknown;
  decide: (command: { type: string; data: any }, state: any, ctx: CommandContext) => Decision<DomainEvent>;
  events: Record<string, Record<number, ZodType>>;
  /** URL collection and the command behind each sub-resource: POST /v1/{collection}/{id}/{segment} */
  collection: string;
  commands: Record<string, { type: string; schema: ZodType }>;
};

const cmd = <S extends Record<string, ZodType>>(schemas: S, routes: Record<string, keyof S & string>) =>
  Object.fromEntries(Object.entries(routes).map(([segment, type]) => [segment, { type, schema: schemas[type]! }]));

export const MODELS: Record<EntityType, Model> = {
  flight: {
    stateVersion: 1, initial: initialFlightState, evolve: evolveFlight as Model['evolve'], decide: decideFlight as Model['decide'],
    events: flightEventSchemas, collection: 'flights',
    commands: cmd(flightCommandSchemas, { schedule: 'ScheduleFlight', status: 'ChangeFlightStatus', milestones: 'RecordTurnaroundMilestone' }),
  },
  shipment: {
    // stateVersion 2: pieces received per airport
    stateVersion: 2, initial: initialShipmentState, evolve: evolveShipment as Model['evolve'], decide: decideShipment as Model['decide'],
    events: shipmentEventSchemas, collection: 'shipments',
    commands: cmd(shipmentCommandSchemas, { statuses: 'RecordShipmentStatus' }),
  },
  baggage: {
    stateVersion: 1, initial: initialBaggageState, evolve: evolveBaggage as Model['evolve'], decide: decideBaggage as Model['decide'],
    events: baggageEventSchemas, collection: 'baggage',
    commands: cmd(baggageCommandSchemas, { tag: 'IssueBagTag', scans: 'ScanBag', mishandlings: 'ReportBagMishandled' }),
  },
  uld: {
    stateVersion: 1, initial: initialUldState, evolve: evolveUld as Model['evolve'], decide: decideUld as Model['decide'],
    events: uldEventSchemas, collection: 'ulds',
    commands: cmd(uldCommandSchemas, { loads: 'LoadUld', unloads: 'UnloadUld', status: 'ChangeUldStatus' }),
  },
  equipment: {
    stateVersion: 1, initial: initialEquipmentState, evolve: evolveEquipment as Model['evolve'], decide: decideEquipment as Model['decide'],
    events: equipmentEventSchemas, collection: 'equipment',
    commands: cmd(equipmentCommandSchemas, { assignments: 'AssignEquipment', releases: 'ReleaseEquipment', faults: 'ReportEquipmentFault' }),
  },
};
