// One path per command of each entity model, so every command's body, rules and answers are named
// in the contract the way the domain decides them.
import { CATALOG } from '../domain/catalog';
import { MODELS } from '../domain/entities';
import { ENTITY_TYPES, type EntityType } from '../domain/identifiers';
import { COMMAND_RULES } from './errors';
import { COMMAND_EXAMPLES, ENTITY_EXAMPLES, EVENT_EXAMPLES, metadataExample, storedEventExample } from './examples';
import { header } from './headers';
import { ID_PATTERNS, ID_RULES, ref } from './jsonSchema';
import { ok, operation, pathParam } from './oas';
import { BODY_400, BODY_415, type Collector } from './problems';

const COLLECTION_PARAM: Record<EntityType, string> = { flight: 'flightId', shipment: 'awb', baggage: 'tag', uld: 'uldId', equipment: 'equipmentTag' };
const TAG_OF: Record<EntityType, string> = { flight: 'Flights', shipment: 'Shipments', baggage: 'Baggage', uld: 'ULDs', equipment: 'Equipment' };
const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);

export function commandPaths(col: Collector) {
  return Object.fromEntries(
    ENTITY_TYPES.flatMap((entityType) => {
      const model = MODELS[entityType];
      const param = COLLECTION_PARAM[entityType];
      return Object.entries(model.commands).map(([segment, command]) => {
        const ex = COMMAND_EXAMPLES[command.type]!;
        const latest = CATALOG[ex.event]!.latest;
        const rules = COMMAND_RULES[command.type]!;
        const streamId = `${entityType}-${ENTITY_EXAMPLES[entityType]}`;
        const op = operation(col, {
          id: lowerFirst(command.type),
          tag: TAG_OF[entityType],
          summary: command.type.replace(/([a-z])([A-Z])/g, '$1 $2').replace('Uld', 'ULD'),
          description: [
            `Decided against the ${entityType}’s state in its stream’s object, and stored as a ${ex.event} event at that state’s version (no lost updates).`,
            rules.length ? `Rules it can break (409, \`code\` and \`rule\` name the rule): ${rules.map((r) => `\`${r}\``).join(', ')}.` : 'It breaks no rule: it is always recorded.',
            'The body is the command’s fields plus the envelope: `occurredAt` (site time, default now), `location`, `commandId`.',
            'With `Idempotency-Key` (or `commandId`) a retry returns the first answer with `Idempotent-Replayed: true`, even after the state moved on; without one a retry decides again. A key is bound to its first request: the same key with another command or body is 422 `idempotency_key_reused`.',
            '`If-Match: "<n>"` decides only at that version (409 `wrong_expected_version` with `currentVersion` otherwise); `*` only if the stream exists.',
          ].join(' '),
          scopes: ['tracking:write'],
          partner: 'refused',
          parameters: [
            pathParam(param, { type: 'string', pattern: `^${ID_PATTERNS[entityType]}$` }, `the ${entityType}: ${ID_RULES[entityType]}`, ENTITY_EXAMPLES[entityType]),
            header('IdempotencyKey'), header('IfMatch'), header('XCorrelationId'), header('XCausationId'), header('XSource'),
          ],
          body: { schema: ref(`${command.type}Command`), examples: { [command.type]: { summary: command.type, value: ex.body } } },
          responses: {
            '201': ok(
              'Decided and stored: the stream’s new version and the events the command produced.',
              ref('CommandResult'),
              {
                streamId,
                version: 1,
                events: [storedEventExample(ex.event, EVENT_EXAMPLES[ex.event]![latest]!, { schemaVersion: latest, location: ex.location ?? null, metadata: metadataExample({ command: command.type }) })],
              },
              ['ETag', 'X-Correlation-Id', 'Idempotent-Replayed'],
            ),
          },
          problems: {
            400: [...BODY_400, 'invalid_entity_id', 'invalid_header', 'conflicting_idempotency_key'],
            409: [...rules, 'wrong_expected_version', 'concurrent_change'],
            410: ['stream_archived'],
            413: ['payload_too_large'],
            415: BODY_415,
            422: ['invalid_value', 'forbidden_key', 'idempotency_key_reused'],
            503: ['database_unavailable', 'stream_unavailable'],
          },
          notes: { 413: 'A command body is at most 64 KiB.' },
          problemHeaders: ['X-Correlation-Id?'],
        });
        return [`/v1/${model.collection}/{${param}}/${segment}`, { post: op }];
      });
    }),
  );
}
