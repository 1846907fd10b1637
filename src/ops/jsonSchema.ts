// zod → JSON Schema with zod 4's own converter, plus the identifier patterns zod's refinements
// cannot express (the converter drops them).
import { z, type ZodType } from 'zod';
import { awbSchema, bagTagSchema, flightIdSchema, uldIdSchema } from '../domain/ids';
import { shipmentCommandSchemas } from '../domain/shipment';
import { streamIdSchema } from '../streams/schemas';

// Identifier rules as patterns (what a pattern can say; check digits, calendar dates and the airport
// list are checked by the API beyond the schema and answered 400 naming the rule).
export const ID_PATTERNS = {
  flight: '(?![0-9]{2})[A-Z0-9]{2}[0-9]{1,4}[A-Z]?-[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])',
  shipment: '[0-9]{3}-[0-9]{8}',
  baggage: '[012][0-9]{9}',
  uld: '[A-Z]{3}[0-9]{4,5}[A-Z0-9]{2}',
  equipment: '[A-Z0-9-]{3,32}',
} as const;

export const ID_RULES = {
  flight: 'airline designator (2 characters, at least one a letter) + 1-4 digit number + optional suffix, a dash and the local departure date at the origin: `LA2047-2026-11-22` (the date must exist)',
  shipment: 'air waybill `PPP-SSSSSSSC`: 3-digit airline prefix, dash, 7-digit serial and a check digit = serial mod 7: `045-12345675`',
  baggage: '10-digit licence plate: 0 (interline), 1 (fallback) or 2 (expedite), 3-digit airline code, 6-digit serial: `0045123456`',
  uld: '3-letter type, 4-5 digit serial, 2-character owner code: `AKE12345LA`',
  equipment: 'the handler’s asset tag, 3-32 of A-Z, 0-9 and `-`: `TUG-07`',
} as const;

const anchored = (p: string) => `^${p}$`;
export const STREAM_ID_PATTERN = `^(${Object.entries(ID_PATTERNS).map(([t, p]) => `${t}-${p}`).join('|')})$`;
export const ENTITY_ID_PATTERN = `^(${Object.values(ID_PATTERNS).join('|')})$`;

// zod refinements the converter drops, restated for the schemas that carry them.
const EXTRA = new Map<ZodType, Record<string, unknown>>([
  [flightIdSchema, { pattern: anchored(ID_PATTERNS.flight), description: ID_RULES.flight }],
  [awbSchema, { pattern: anchored(ID_PATTERNS.shipment), description: ID_RULES.shipment }],
  [bagTagSchema, { pattern: anchored(ID_PATTERNS.baggage), description: ID_RULES.baggage }],
  [uldIdSchema, { pattern: anchored(ID_PATTERNS.uld), description: ID_RULES.uld }],
  [streamIdSchema, { pattern: STREAM_ID_PATTERN, maxLength: 80 }],
  [
    shipmentCommandSchemas.RecordShipmentStatus,
    {
      // a DIS names its discrepancy; no other code carries one
      if: { properties: { code: { const: 'DIS' } }, required: ['code'] },
      then: { required: ['discrepancy'], properties: { discrepancy: { description: 'required with DIS' } } },
      else: { not: { required: ['discrepancy'], properties: { discrepancy: { description: 'only with DIS' } } } },
    },
  ],
]);

/** JSON Schema (2020-12, the dialect of OpenAPI 3.1) of a zod schema, as requests (`input`) or answers (`output`) see it. */
export function json(schema: ZodType, io: 'input' | 'output' = 'output'): Record<string, any> {
  const out = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
    override: (ctx) => {
      const extra = EXTRA.get(ctx.zodSchema as unknown as ZodType);
      if (extra) Object.assign(ctx.jsonSchema, extra);
    },
  }) as Record<string, any>;
  delete out.$schema;
  return out;
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
