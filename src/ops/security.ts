// The kinds of token the API takes as security schemes, so each operation names exactly the tokens it accepts.
export type Scope = 'tracking:read' | 'tracking:write' | 'tracking:admin' | 'tracking:operator';

/** One security scheme per kind of token: a bearer JWT with that scope (and, for partners, the carriers claim). */
export const SCHEME_OF: Record<Scope, string> = {
  'tracking:read': 'readToken',
  'tracking:write': 'writeToken',
  'tracking:admin': 'adminToken',
  'tracking:operator': 'operatorToken',
};

const JWT = 'A bearer JWT from the issuer this deployment trusts (asymmetric signature: RS*, PS*, ES* or EdDSA), audience `AUTH_AUDIENCE` (default `tracktrace-api`), with `exp` and the tenant claim `AUTH_TENANT_CLAIM` (default `tenant_id`). Scopes are in `scope` (space-separated) or `scp` (an array).';
const bearer = (description: string) => ({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `${description} ${JWT}` });

export const SECURITY_SCHEMES = {
  writeToken: bearer('A token whose scope includes `tracking:write`: appends, batches and commands. Partner tokens never write (403 `partner_read_only`).'),
  readToken: bearer('A token whose scope includes `tracking:read`, without the carriers claim: reads the whole tenant.'),
  partnerToken: bearer(
    'A partner token: scope `tracking:read` and the carriers claim `AUTH_CARRIERS_CLAIM` (default `carriers`), a list of airline designators (`LA`) and 3-digit prefixes (`045`), at most 50, e.g. `"carriers": ["LA", "045"]`. It reads only entities tied to those codes (anything else is a 404, never a 403), never writes and never reaches the admin routes (403 `partner_read_only`).',
  ),
  adminToken: bearer('A token whose scope includes `tracking:admin`: read-model status and dead letters of its own tenant.'),
  operatorToken: bearer('A token whose scope includes `tracking:operator`: read-model status and dead letters of the whole store, rebuilds, replays.'),
  metricsToken: { type: 'http', scheme: 'bearer', description: 'The deployment\'s `METRICS_TOKEN` secret, for a Prometheus scrape job (an opaque string, not a JWT).' },
};
