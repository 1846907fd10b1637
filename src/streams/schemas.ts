// The request and response contract of the stream routes; OpenAPI is generated from these.
import { z } from 'zod';
import { locationSchema } from '../domain/airports';
import { parseStreamId } from '../domain/identifiers';

export const MAX_EVENTS_PER_APPEND = 100;
export const MAX_EVENTS_PER_BATCH = 500;
export const MAX_FUTURE_MS = 5 * 60_000;

export const streamIdSchema = z.string().superRefine((s, ctx) => {
  const r = parseStreamId(s);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: `${r.message} (rule ${r.rule})` });
}).meta({ description: '{entityType}-{entityId}, e.g. shipment-045-12345675', example: 'shipment-045-12345675' });

export const expectedVersionSchema = z
  .union([z.int().min(0).max(Number.MAX_SAFE_INTEGER), z.enum(['any', 'no_stream', 'stream_exists'])])
  .meta({ description: 'a version (0 = the stream must not exist yet), "any", "no_stream" or "stream_exists"' });

export const eventTypeSchema = z
  .string()
  .regex(/^[A-Z][A-Za-z0-9]{2,63}$/, 'an event type is PascalCase letters and digits, 3-64 characters');

const metadataSchema = z
  .record(z.string().max(64), z.unknown())
  .superRefine((m, ctx) => {
    if (m.causationId !== undefined && !z.uuid().safeParse(m.causationId).success) {
      ctx.addIssue({ code: 'custom', path: ['causationId'], message: 'causationId must be a UUID' });
    }
  });

/** An instant Postgres can store: ISO 8601 with an offset within ±15:59 (its limit). */
export const instantSchema = z.iso
  .datetime({ offset: true })
  .refine((s) => !/[+-](1[6-9]|2\d):?\d\d$/.test(s), 'the UTC offset must be within ±15:59');

/** When it happened at the site: hours ago is fine, more than 5 minutes ahead is not. */
export const occurredAtSchema = instantSchema
  .refine((s) => Date.parse(s) <= Date.now() + MAX_FUTURE_MS, 'occurredAt is more than 5 minutes in the future')
  .refine((s) => Date.parse(s) >= Date.UTC(2000, 0, 1), 'occurredAt is before 2000');

const MAX_DATA_BYTES = 32 * 1024;
const MAX_METADATA_BYTES = 4 * 1024;
const sizedJson = (max: number) => (v: unknown) => JSON.stringify(v).length <= max;

export const newEventSchema = z.strictObject({
  id: z.uuid().optional().meta({ description: 'client-chosen idempotency key; generated when absent' }),
  type: eventTypeSchema,
  schemaVersion: z.int().min(1).max(1000).optional(),
  occurredAt: occurredAtSchema.optional(),
  location: locationSchema.optional(),
  data: z.record(z.string(), z.unknown()).refine(sizedJson(MAX_DATA_BYTES), `data is larger than ${MAX_DATA_BYTES} bytes of JSON`),
  metadata: metadataSchema.refine(sizedJson(MAX_METADATA_BYTES), `metadata is larger than ${MAX_METADATA_BYTES} bytes of JSON`).optional(),
});

const eventsSchema = z
  .array(newEventSchema)
  .min(1)
  .max(MAX_EVENTS_PER_APPEND)
  .superRefine((events, ctx) => {
    const seen = new Set<string>();
    events.forEach((e, i) => {
      if (!e.id) return;
      const id = e.id.toLowerCase(); // ids are stored lower case
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'event id repeated within the request' });
      seen.add(id);
    });
  });

export const appendBodySchema = z.strictObject({
  expectedVersion: expectedVersionSchema.optional(),
  events: eventsSchema,
});

export const batchItemSchema = appendBodySchema.extend({ streamId: streamIdSchema });

export const batchBodySchema = z.strictObject({
  items: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_BATCH),
});

export const readQuerySchema = z.strictObject({
  fromVersion: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  direction: z.enum(['forward', 'backward']).default('forward'),
});

export const streamParamSchema = z.object({ streamId: streamIdSchema });

export const appendResultSchema = z.object({
  streamId: z.string(),
  fromVersion: z.int(),
  toVersion: z.int(),
  positions: z.array(z.int()).meta({ description: 'global positions of the events, in order' }),
});

export const storedEventSchema = z.object({
  id: z.uuid(),
  version: z.int(),
  position: z.int(),
  type: z.string(),
  schemaVersion: z.int(),
  occurredAt: z.string(),
  recordedAt: z.string(),
  location: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.unknown()),
});

export const readResultSchema = z.object({
  streamId: z.string(),
  version: z.int(),
  events: z.array(storedEventSchema),
  next: z.string().nullable().meta({ description: 'the URL of the following page, or null' }),
});

export const streamStateSchema = z.object({
  streamId: z.string(),
  entityType: z.string(),
  version: z.int(),
  state: z.record(z.string(), z.unknown()),
  snapshotVersion: z.int().nullable().meta({ description: 'the snapshot the state was loaded from, if any' }),
  replayedEvents: z.int().meta({ description: 'events folded on top of that snapshot' }),
});

export const commandResultSchema = z.object({
  streamId: z.string(),
  version: z.int(),
  events: z.array(storedEventSchema),
});

export const streamInfoSchema = z.object({
  streamId: z.string(),
  entityType: z.string(),
  version: z.int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const batchResultSchema = z.object({
  items: z.array(z.object({ streamId: z.string().nullable(), status: z.int() }).loose()),
});

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.string(),
  requestId: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  currentVersion: z.int().optional(),
});
