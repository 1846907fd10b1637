// The event catalog in the contract: every event type and schema version as its own schema, so an
// append, a read and a command each link `data` to the exact version it carries.
import { CATALOG } from '../domain/catalog';
import { newEventSchema, storedEventSchema } from '../streams/schemas';
import { COMMAND_EXAMPLES, EVENT_EXAMPLES } from './examples';
import { json, ref } from './jsonSchema';

const eventComponent = (type: string, v: number) => `${type}.v${v}`;
const commandOf = (eventType: string) => Object.entries(COMMAND_EXAMPLES).find(([, c]) => c.event === eventType)?.[0];

/** The catalog: `{type}.v{n}` for every event type and schema version, with its example. */
export function eventSchemas() {
  return Object.fromEntries(
    Object.entries(CATALOG).flatMap(([type, e]) =>
      Object.entries(e.versions).map(([v, schema]) => {
        const n = Number(v);
        const command = commandOf(type);
        const status = n === e.latest ? 'the latest version' : `superseded: stored as written, shown upcast to v${e.latest} on every read`;
        return [
          eventComponent(type, n),
          {
            ...json(schema, 'input'),
            title: `${type} v${n}`,
            description: `\`data\` of a ${type} event, schema version ${n} (${status}). On ${e.entityType} streams${command ? `; decided by the ${command} command` : ''}.`,
            examples: [EVENT_EXAMPLES[type]![n]],
          },
        ];
      }),
    ),
  );
}

/** An event to append: one variant per type and schema version, `data` linked to its schema. */
export function newEventVariants() {
  const base = json(newEventSchema, 'input');
  return Object.entries(CATALOG).flatMap(([type, e]) =>
    Object.keys(e.versions).map(Number).map((v) => ({
      ...base,
      title: `${type} v${v}`,
      required: v === e.latest ? ['type', 'data'] : ['type', 'schemaVersion', 'data'],
      properties: {
        ...base.properties,
        type: { const: type, description: `on ${e.entityType} streams` },
        schemaVersion: { const: v, description: v === e.latest ? 'optional: the latest' : 'required for a superseded version' },
        data: { ...ref(eventComponent(type, v)), description: 'at most 32 KiB of JSON' },
      },
    })),
  );
}

/** An event as reads and commands show it: upcast to its type's latest schema version. */
export function storedEventVariants() {
  const base = json(storedEventSchema);
  return Object.entries(CATALOG).map(([type, e]) => ({
    ...base,
    title: type,
    properties: {
      ...base.properties,
      id: { type: 'string', format: 'uuid' },
      type: { const: type },
      schemaVersion: { const: e.latest },
      occurredAt: { type: 'string', format: 'date-time', description: 'when it happened at the site (UTC, milliseconds)' },
      recordedAt: { type: 'string', format: 'date-time', description: 'when the server stored it' },
      data: ref(eventComponent(type, e.latest)),
      metadata: ref('EventMetadata'),
    },
  }));
}

export const eventMetadataSchema = {
  type: 'object',
  description: 'The client’s `metadata` (at most 4 KiB), overlaid with the server’s context, which wins on these names.',
  required: ['tenantId', 'actor', 'source', 'correlationId', 'causationId'],
  properties: {
    tenantId: { type: 'string' },
    actor: { type: 'string', description: 'the token subject' },
    source: { type: ['string', 'null'], description: 'the `X-Source` header' },
    correlationId: { type: 'string', format: 'uuid' },
    causationId: { type: ['string', 'null'], format: 'uuid' },
    command: { type: 'string', description: 'the command that decided it (commands only)' },
    requestHash: { type: 'string', description: 'commands: a digest of the command and its body, what its idempotency key is bound to' },
  },
  additionalProperties: {},
};
