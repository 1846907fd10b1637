// Who may see the admin routes: operators (the whole store) and tenant admins (their tenant).
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { ApiError } from '../http/problem';

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const p = c.get('principal');
  if (p.carriers) throw new ApiError(403, 'partner_read_only', 'a partner token (with a carriers claim) reaches no admin route');
  if (!(p.scopes.has('tracking:admin') || p.scopes.has('tracking:operator'))) {
    throw new ApiError(403, 'insufficient_scope', 'this needs the tracking:admin or tracking:operator scope', {}, {
      'www-authenticate': 'Bearer realm="tracktrace", error="insufficient_scope", scope="tracking:admin"',
    });
  }
  await next();
};

/** The tenant an admin is limited to, or null for an operator. */
export const tenantScope = (c: Context<AppEnv>): string | null => {
  const p = c.get('principal');
  return p.scopes.has('tracking:operator') ? null : p.tenantId;
};
