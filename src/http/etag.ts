// Conditional GETs: the ETag goes out, and a matching If-None-Match (or `*`) is a 304 with no body.
import type { Context } from 'hono';

export function notModified(c: Context, etag: string): Response | null {
  c.header('etag', etag);
  c.header('cache-control', 'private, no-cache');
  const given = c.req.header('if-none-match');
  if (given === undefined) return null;
  const match = given.trim() === '*' || given.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
  return match ? c.body(null, 304) : null;
}
