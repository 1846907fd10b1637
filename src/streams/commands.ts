// Domain commands: POST /v1/{collection}/{entityId}/{command}. The stream's object decides them
// against its state; a broken rule is a 409 whose code names the rule.
import { traceparentOf } from '../ops/trace';
import { Hono } from 'hono';
import { z } from 'zod';
import { locationSchema } from '../domain/airports';
import { MODELS } from '../domain/entities';
import { checkEntityId, ENTITY_TYPES } from '../domain/identifiers';
import type { AppEnv } from '../env';
import type { CommandRequest, CommandResult } from '../eventStore/types';
import { requireScope } from '../http/auth';
import { jsonBody } from '../http/body';
import { ApiError } from '../http/problem';
import { ifMatchVersion } from '../http/preconditions';
import { validationError } from '../http/validate';
import { pooledDb } from '../db/pool';
import { callStream, correlationId, eventMetadata, streamArchived } from './routes';
import { occurredAtSchema } from './schemas';

export const commandRoutes = new Hono<AppEnv>();

export const commandEnvelopeSchema = z.strictObject({
  occurredAt: occurredAtSchema.optional().meta({ description: 'when it happened at the site (default: now)' }),
  location: locationSchema.optional(),
  commandId: z.string().regex(/^[\x21-\x7e]{1,200}$/, 'a commandId is 1-200 visible ASCII characters').optional()
    .meta({ description: 'makes a retry return the first answer (same as the Idempotency-Key header)' }),
});

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

for (const entityType of ENTITY_TYPES) {
  const model = MODELS[entityType];
  for (const [segment, command] of Object.entries(model.commands)) {
    commandRoutes.post(`/v1/${model.collection}/:entityId/${segment}`, requireScope('tracking:write'), jsonBody(64 * 1024), async (c) => {
      const entityId = c.req.param('entityId');
      const idCheck = checkEntityId(entityType, entityId);
      if (!idCheck.ok) throw new ApiError(400, 'invalid_entity_id', `${idCheck.message} (rule ${idCheck.rule})`, { rule: idCheck.rule });
      const body = await c.req.json();
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'validation_failed', 'the body is a JSON object');
      const { occurredAt, location, commandId, ...fields } = body as Record<string, unknown>;
      const envelope = commandEnvelopeSchema.safeParse({ occurredAt, location, commandId });
      const data = command.schema.safeParse(fields);
      if (!envelope.success || !data.success) throw validationError('command', [...(envelope.error?.issues ?? []), ...(data.error?.issues ?? [])]);
      const header = c.req.header('idempotency-key');
      if (header !== undefined && !IDEMPOTENCY_KEY.test(header)) throw new ApiError(400, 'invalid_header', 'Idempotency-Key is 1-200 visible ASCII characters');
      if (header !== undefined && envelope.data.commandId !== undefined && header !== envelope.data.commandId) {
        throw new ApiError(400, 'conflicting_idempotency_key', 'Idempotency-Key and commandId disagree');
      }
      const expected = ifMatchVersion(c) ?? null;

      const principal = c.get('principal');
      const key = { tenantId: principal.tenantId, streamId: `${entityType}-${entityId}`, entityType };
      const correlation = correlationId(c);
      const causation = c.req.header('x-causation-id') ?? null;
      if (causation !== null && !z.uuid().safeParse(causation).success) throw new ApiError(400, 'invalid_header', 'X-Causation-Id must be a UUID');
      const hash = await requestHash(command.type, fields, envelope.data);
      const cmd: CommandRequest = {
        type: command.type,
        data: data.data as Record<string, unknown>,
        ctx: { at: envelope.data.occurredAt ?? new Date().toISOString(), actor: principal.subject, location: envelope.data.location ?? null, entityId },
        idempotencyKey: header ?? envelope.data.commandId ?? null,
        requestHash: hash,
        expected,
        metadata: { ...eventMetadata(c, correlation, causation), command: command.type, requestHash: hash },
        correlationId: correlation,
        causationId: causation,
      };
      if (command.type === 'LoadUld') await assertItemsExist(c.env, principal.tenantId, cmd.data as { shipments: string[]; bags: string[] });
      // a keyed command is safe to repeat: the retry is answered with the first result
      const r = await callStream<CommandResult>(c.env, key, cmd.idempotencyKey !== null, (o) => o.command(key, cmd, traceparentOf(c.get('trace'))));
      if (r.status === 409) throw new ApiError(409, r.code, r.detail, r.currentVersion !== undefined ? { currentVersion: r.currentVersion } : { rule: r.code });
      if (r.status === 422) throw new ApiError(422, r.code, r.detail);
      if (r.status === 410) throw streamArchived(key.streamId, r.archivedAt);
      if (r.status === 503) throw new ApiError(503, r.code, r.detail, {}, { 'retry-after': '1' });
      if (r.replayed) c.header('idempotent-replayed', 'true');
      c.header('etag', `"${r.version}"`);
      return c.body(`{"streamId":${JSON.stringify(key.streamId)},"version":${r.version},"events":${r.events}}`, 201, { 'content-type': 'application/json' });
    });
  }
}

/**
 * A ULD load lists shipments and bags that exist. Checked against the event store's streams table,
 * not the status read model: a shipment received a moment ago is not refused while projections lag.
 */
async function assertItemsExist(env: Env, tenantId: string, load: { shipments: string[]; bags: string[] }) {
  const ids = [...load.shipments.map((s) => `shipment-${s}`), ...load.bags.map((b) => `baggage-${b}`)];
  if (!ids.length) return;
  const found = await pooledDb(env, `items:${tenantId}`).query<{ stream_id: string }>(
    'select stream_id from streams where tenant_id = $1 and stream_id = any($2::text[]) and archived_at is null', // archived: gone
    [tenantId, ids],
  );
  const known = new Set(found.map((r) => r.stream_id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length) {
    throw new ApiError(409, 'uld_load_unknown_items', `these are not known: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`, {
      rule: 'uld_load_unknown_items', missing,
    });
  }
}

/** The request a key is bound to: command, fields, place and time as sent (keys sorted), hashed. */
async function requestHash(type: string, fields: Record<string, unknown>, envelope: { occurredAt?: string; location?: string }): Promise<string> {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical)
      : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
      : v;
  const text = JSON.stringify(canonical({ type, fields, occurredAt: envelope.occurredAt ?? null, location: envelope.location ?? null }));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
