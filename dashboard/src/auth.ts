// The signed-in session: a bearer token pasted once (or, with an OIDC issuer, the access token its
// authorization-code + PKCE flow returns; see the README). Kept in sessionStorage only: never in
// the URL, gone when the tab closes. The payload is decoded, not verified: the API verifies every
// request; the dashboard only needs the tenant (claim tenant_id), the scopes and the expiry.

const KEY = 'tracktrace.session.token';
export const TENANT_CLAIM = 'tenant_id';

export type Session = {
  token: string;
  tenant: string;
  subject: string;
  scopes: string[];
  /** seconds since the epoch */
  exp: number | null;
  carriers: string[] | null;
};

function b64urlDecode(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(s.length / 4) * 4, '=');
  const bin = atob(b64);
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** The session a token gives, or why it gives none. */
export function decodeToken(raw: string): Session | { error: string } {
  const token = raw.trim().replace(/^bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    return { error: 'That is not a JWT (three base64url parts separated by dots).' };
  }
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(b64urlDecode(parts[1]!)) as Record<string, unknown>;
  } catch {
    return { error: 'The token’s payload is not readable JSON.' };
  }
  const tenant = claims[TENANT_CLAIM];
  if (typeof tenant !== 'string' || !tenant) return { error: `The token has no ${TENANT_CLAIM} claim: it names no tenant.` };
  const exp = typeof claims.exp === 'number' ? claims.exp : null;
  if (exp !== null && exp * 1000 < Date.now()) return { error: `The token expired at ${new Date(exp * 1000).toLocaleString()}.` };
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(/\s+/).filter(Boolean) : Array.isArray(claims.scp) ? claims.scp.map(String) : [];
  const carriers = Array.isArray(claims.carriers) ? claims.carriers.map(String) : null;
  return { token, tenant, subject: typeof claims.sub === 'string' ? claims.sub : '(no subject)', scopes, exp, carriers };
}

let current: Session | null = null;

export function loadSession(): Session | null {
  if (current) return current;
  const stored = sessionStorage.getItem(KEY);
  if (!stored) return null;
  const s = decodeToken(stored);
  if ('error' in s) {
    sessionStorage.removeItem(KEY);
    return null;
  }
  current = s;
  return s;
}

export function saveSession(s: Session) {
  current = s;
  sessionStorage.setItem(KEY, s.token);
}

export function clearSession() {
  current = null;
  sessionStorage.removeItem(KEY);
}

export const canAdmin = (s: Session) => s.scopes.includes('tracking:operator') || s.scopes.includes('tracking:admin');
export const isOperator = (s: Session) => s.scopes.includes('tracking:operator');
