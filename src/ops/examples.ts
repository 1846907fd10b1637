// Examples for the contract: event payloads per type and version, command bodies, answers. Redocly and
// Spectral check every example against its schema, so an example that drifts from a schema fails CI.

export const EX = {
  flightId: 'LA2047-2026-11-22',
  awb: '045-12345675',
  bagTag: '0045123456',
  uldId: 'AKE12345LA',
  equipmentTag: 'TUG-07',
  requestId: '5b0e3c44-1f7a-4d8e-9a52-0c6f2b1d7e93',
  correlationId: '7d2f5a1e-3c4b-4e8f-9a6d-2b1c0e9f8a7d',
  eventId: '0b9f0c3e-8a0e-4b8e-9d8a-3c1f5e2a7b10',
  at: '2026-11-22T10:15:00.000Z',
  recordedAt: '2026-11-22T10:15:00.412Z',
} as const;

export const ENTITY_EXAMPLES = { flight: EX.flightId, shipment: EX.awb, baggage: EX.bagTag, uld: EX.uldId, equipment: EX.equipmentTag } as const;

/** `data` of each event type and schema version. */
export const EVENT_EXAMPLES: Record<string, Record<number, Record<string, unknown>>> = {
  FlightScheduled: {
    1: {
      flightNumber: 'LA2047', scheduledDeparture: '2026-11-22T14:05:00-05:00', scheduledArrival: '2026-11-22T20:35:00-03:00',
      origin: 'LIM', destination: 'SCL', aircraftRegistration: 'CC-BGA',
    },
  },
  FlightStatusChanged: {
    1: { flightId: EX.flightId, status: 'SCHEDULED', newStatus: 'BOARDING', timestamp: '2026-11-22T13:20:00-05:00', location: 'LIM/GATE/A5' },
    2: {
      flightId: EX.flightId, oldStatus: 'Scheduled', newStatus: 'Boarding', timestamp: '2026-11-22T13:20:00-05:00', reason: 'Not specified',
      updatedBy: 'gate-agent-12', locationCode: 'LIM/GATE/A5', delayMinutes: 0,
    },
  },
  TurnaroundMilestoneRecorded: { 1: { milestone: 'OnBlock', at: '2026-11-22T12:40:00-05:00' } },
  ShipmentStatusRecorded: { 1: { code: 'RCS', pieces: 3, weightKg: 120 } },
  BagTagIssued: { 1: { passengerRef: 'PNR-X7K2QA-1', flights: [EX.flightId] } },
  BagScanned: { 1: { point: 'Loaded', flight: EX.flightId, uld: EX.uldId } },
  BagMishandled: { 1: { reason: 'Delayed', report: 'LIMLA12345' } },
  UldLoaded: { 1: { flight: EX.flightId, shipments: [EX.awb], bags: [EX.bagTag] } },
  UldUnloaded: { 1: { flight: EX.flightId } },
  UldStatusChanged: { 1: { serviceable: false } },
  EquipmentAssigned: { 1: { flight: EX.flightId, task: 'pushback' } },
  EquipmentReleased: { 1: { flight: EX.flightId } },
  EquipmentFaultReported: { 1: { fault: 'hydraulic leak on the tow bar' } },
};

/** Each command: an example body (its fields, and some envelope fields) and the event it decides. */
export const COMMAND_EXAMPLES: Record<string, { body: Record<string, unknown>; event: string; location?: string }> = {
  ScheduleFlight: {
    body: { scheduledDeparture: '2026-11-22T14:05:00-05:00', scheduledArrival: '2026-11-22T20:35:00-03:00', origin: 'LIM', destination: 'SCL', aircraftRegistration: 'CC-BGA' },
    event: 'FlightScheduled',
  },
  ChangeFlightStatus: { body: { newStatus: 'Boarding', location: 'LIM/GATE/A5' }, event: 'FlightStatusChanged', location: 'LIM/GATE/A5' },
  RecordTurnaroundMilestone: { body: { milestone: 'OnBlock', location: 'LIM/STAND/12' }, event: 'TurnaroundMilestoneRecorded', location: 'LIM/STAND/12' },
  RecordShipmentStatus: { body: { code: 'RCS', pieces: 3, weightKg: 120, location: 'LIM/WH2' }, event: 'ShipmentStatusRecorded', location: 'LIM/WH2' },
  IssueBagTag: { body: { passengerRef: 'PNR-X7K2QA-1', flights: [EX.flightId], location: 'LIM' }, event: 'BagTagIssued', location: 'LIM' },
  ScanBag: { body: { point: 'Loaded', flight: EX.flightId, uld: EX.uldId, location: 'LIM/STAND/12' }, event: 'BagScanned', location: 'LIM/STAND/12' },
  ReportBagMishandled: { body: { reason: 'Delayed', report: 'LIMLA12345', location: 'SCL' }, event: 'BagMishandled', location: 'SCL' },
  LoadUld: { body: { flight: EX.flightId, shipments: [EX.awb], bags: [EX.bagTag], location: 'LIM/WH2' }, event: 'UldLoaded', location: 'LIM/WH2' },
  UnloadUld: { body: { flight: EX.flightId, location: 'SCL' }, event: 'UldUnloaded', location: 'SCL' },
  ChangeUldStatus: { body: { serviceable: false, location: 'LIM/WH2' }, event: 'UldStatusChanged', location: 'LIM/WH2' },
  AssignEquipment: { body: { flight: EX.flightId, task: 'pushback', location: 'LIM/STAND/12' }, event: 'EquipmentAssigned', location: 'LIM/STAND/12' },
  ReleaseEquipment: { body: { flight: EX.flightId }, event: 'EquipmentReleased' },
  ReportEquipmentFault: { body: { fault: 'hydraulic leak on the tow bar', location: 'LIM/STAND/12' }, event: 'EquipmentFaultReported', location: 'LIM/STAND/12' },
};

export const metadataExample = (extra: Record<string, unknown> = {}) => ({
  tenantId: 'lim-handling', actor: 'scanner-7', source: 'wh2-handheld-14', correlationId: EX.correlationId, causationId: null, ...extra,
});

/** An event as reads and commands show it. */
export const storedEventExample = (type: string, data: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  id: EX.eventId, version: 1, position: 48213, type, schemaVersion: 1, occurredAt: EX.at, recordedAt: EX.recordedAt, location: 'LIM/WH2',
  data, metadata: metadataExample(), ...over,
});
