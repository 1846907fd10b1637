// The event catalog: every event type, the entity type whose streams accept it, and its schema per version.
import type { ZodType } from 'zod';
import { MODELS } from './entities';
import { ENTITY_TYPES, type EntityType } from './identifiers';

type Entry = { entityType: EntityType; versions: Record<number, ZodType>; latest: number };

export const CATALOG: Record<string, Entry> = Object.fromEntries(
  ENTITY_TYPES.flatMap((entityType) =>
    Object.entries(MODELS[entityType].events).map(([type, versions]) => [
      type,
      { entityType, versions, latest: Math.max(...Object.keys(versions).map(Number)) },
    ]),
  ),
);

export type CatalogProblem = { code: string; message: string; errors?: { path: string; message: string }[] };

/** Checks one event against the catalog; returns its schema version (the latest when not given). */
export function checkEvent(
  entityType: EntityType,
  e: { type: string; schemaVersion?: number; data: unknown },
): { ok: true; schemaVersion: number } | ({ ok: false } & CatalogProblem) {
  const entry = CATALOG[e.type];
  if (!entry) return { ok: false, code: 'unknown_event_type', message: `${e.type} is not an event type of the catalog` };
  if (entry.entityType !== entityType) {
    return { ok: false, code: 'event_not_allowed_for_stream', message: `${e.type} belongs on ${entry.entityType} streams, not ${entityType}` };
  }
  const schemaVersion = e.schemaVersion ?? entry.latest;
  const schema = entry.versions[schemaVersion];
  if (!schema) return { ok: false, code: 'unknown_schema_version', message: `${e.type} has no schema version ${schemaVersion} (latest ${entry.latest})` };
  const parsed = schema.safeParse(e.data);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ path: ['data', ...i.path].map(String).join('.'), message: i.message }));
    return { ok: false, code: 'invalid_event_data', message: errors.map((x) => `${x.path}: ${x.message}`).join('; '), errors };
  }
  return { ok: true, schemaVersion };
}
