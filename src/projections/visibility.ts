// Partner access: a token with a carriers claim sees an entity when one of its codes is the entity's
// own (the id says it), one of a flight the entity is linked to (status read model), or the carrier
// of a flight the entity is loaded on (manifest read model). Everything else is a 404 to it, as if
// the entity did not exist.
import type { Context } from 'hono';
import { pooledDb } from '../db/pool';
import type { EntityType } from '../domain/identifiers';
import type { AppEnv } from '../env';
import { ApiError } from '../http/problem';
import { ownCarrier } from './carriers';

/**
 * SQL: is status row `s` visible to the codes in parameter `$n` (null = staff, sees all)? The tenant
 * is `$1`. What is loaded on the carriers' flights is an uncorrelated subquery: Postgres hashes it
 * once from the manifest's carrier index instead of scanning the manifest for every row.
 */
export const visibleSql = (n: number) =>
  `($${n}::text[] is null or s.carriers && $${n}::text[] or (s.entity_type, s.entity_id) in (select m.item_type, m.item_id
      from rm_manifest m where m.tenant_id = $1 and m.carrier = any($${n}::text[])))`;

export async function isVisible(env: Env, tenantId: string, carriers: string[] | null, entityType: EntityType, entityId: string): Promise<boolean> {
  if (!carriers) return true;
  const own = ownCarrier(entityType, entityId);
  if (own && carriers.includes(own)) return true;
  const rows = await pooledDb(env, `${entityType}-${entityId}`).query(
    `select 1 from rm_status s where s.tenant_id = $1 and s.stream_id = $2 and ${visibleSql(3)}
     union all select 1 from rm_manifest m where m.tenant_id = $1 and m.item_type = $4 and m.item_id = $5 and m.carrier = any($3::text[])
     limit 1`,
    [tenantId, `${entityType}-${entityId}`, carriers, entityType, entityId],
  );
  return rows.length > 0;
}

/**
 * Unless the caller may see the entity, throws `notFound`: the very problem a missing entity gets, so
 * a partner cannot tell another carrier's entity from one that does not exist (never a 403).
 */
export async function assertVisible(c: Context<AppEnv>, entityType: EntityType, entityId: string, notFound: ApiError) {
  const p = c.get('principal');
  if (!(await isVisible(c.env, p.tenantId, p.carriers, entityType, entityId))) throw notFound;
}

export const entityNotFound = (entityType: string, entityId: string) => new ApiError(404, 'not_found', `no ${entityType} ${entityId} (or not projected yet)`);
