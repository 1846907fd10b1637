// GET /v1/admin/retention · GET /v1/admin/retention/{entityType} · PUT /v1/admin/retention/{entityType}
// Retention policies (src/retention/): how long each tenant keeps each entity type's streams after
// their last append. A tenant admin (tracking:admin) reads and sets its own tenant's; an operator
// (tracking:operator) any tenant's (`tenantId`, default its own).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { pooledDb } from '../db/pool';
import { ENTITY_TYPES, type EntityType } from '../domain/identifiers';
import type { AppEnv } from '../env';
import { jsonBody } from '../http/body';
import { ApiError } from '../http/problem';
import { validate } from '../http/validate';
import { parseDuration } from '../retention/duration';
import { effective, listPolicies, retentionDefaults, setPolicy } from '../retention/policy';
import { requireAdmin, tenantScope } from './access';

export const retentionAdminRoutes = new Hono<AppEnv>();

/** The shortest retention a tenant admin may set; shorter ones need an operator. */
const ADMIN_MIN_S = 30 * 86_400;

const tenantIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a tenant id is 1-64 of A-Z, a-z, 0-9, ".", "_" and "-"')
  .meta({ description: 'the tenant (operators only; default: the token’s own)' });
export const entityTypeParamSchema = z.strictObject({ entityType: z.enum(ENTITY_TYPES) });
export const retentionQuerySchema = z.strictObject({ tenantId: tenantIdSchema.optional() });
export const retentionBodySchema = z.strictObject({
  events: z.string().max(40).nullable().superRefine((v, ctx) => {
    const d = v === null ? null : parseDuration(v);
    if (d && !d.ok) ctx.addIssue({ code: 'custom', message: d.message });
  }).meta({
    description: 'How long a stream of this type is kept after its last append, as an ISO 8601 duration of weeks, days, hours, minutes and seconds (P365D, P4W, PT12H); null removes the tenant’s own policy, so the default applies again',
    examples: ['P90D'],
  }),
  tenantId: tenantIdSchema.optional(),
});

/** The tenant a request acts on: a tenant admin's own, or any an operator names. */
function targetTenant(c: Context<AppEnv>, named: string | undefined): string {
  const own = tenantScope(c); // null: an operator
  if (own !== null && named !== undefined && named !== own) {
    throw new ApiError(403, 'insufficient_scope', 'a tenant admin reads and sets its own tenant’s retention; other tenants need tracking:operator', {}, {
      'www-authenticate': 'Bearer realm="tracktrace", error="insufficient_scope", scope="tracking:operator"',
    });
  }
  return named ?? c.get('principal').tenantId;
}

async function effectivePolicy(c: Context<AppEnv>, tenantId: string, entityType: EntityType) {
  const rows = await listPolicies(pooledDb(c.env, 'admin'), tenantId);
  return effective(retentionDefaults(c.env), tenantId, entityType, rows.find((r) => r.entityType === entityType));
}

retentionAdminRoutes.get('/v1/admin/retention', requireAdmin, validate('query', retentionQuerySchema), async (c) => {
  const { tenantId } = c.req.valid('query');
  const scope = tenantId === undefined ? tenantScope(c) : targetTenant(c, tenantId); // an operator without tenantId: all
  const defaults = retentionDefaults(c.env);
  return c.json({
    defaults: { events: defaults.events.text, snapshots: defaults.snapshots.text },
    policies: await listPolicies(pooledDb(c.env, 'admin'), scope),
  });
});

retentionAdminRoutes.get('/v1/admin/retention/:entityType', requireAdmin, validate('param', entityTypeParamSchema), validate('query', retentionQuerySchema), async (c) => {
  const tenantId = targetTenant(c, c.req.valid('query').tenantId);
  return c.json(await effectivePolicy(c, tenantId, c.req.valid('param').entityType));
});

retentionAdminRoutes.put(
  '/v1/admin/retention/:entityType',
  requireAdmin,
  validate('param', entityTypeParamSchema),
  jsonBody(4 * 1024),
  validate('json', retentionBodySchema),
  async (c) => {
    const { entityType } = c.req.valid('param');
    const body = c.req.valid('json');
    const tenantId = targetTenant(c, body.tenantId);
    // a slip of the finger (PT1H for P1Y) would archive a tenant's whole store within minutes
    const keep = body.events === null ? null : parseDuration(body.events);
    if (keep?.ok && keep.seconds < ADMIN_MIN_S && tenantScope(c) !== null) {
      throw new ApiError(403, 'insufficient_scope', 'a retention shorter than P30D needs tracking:operator', {}, {
        'www-authenticate': 'Bearer realm="tracktrace", error="insufficient_scope", scope="tracking:operator"',
      });
    }
    await setPolicy(pooledDb(c.env, 'admin'), tenantId, entityType, body.events, c.get('principal').subject);
    return c.json(await effectivePolicy(c, tenantId, entityType));
  },
);
