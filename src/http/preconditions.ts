// Conditional requests. A read's ETag is the stream's (or read model's) version: a matching
// If-None-Match, or `*`, is a 304. On writes, If-Match is an expected version: `"3"` (or 3) means the
// stream is at version 3, `*` that it exists; a mismatch is the same 409 wrong_expected_version an
// expectedVersion in the body gets. A precondition that is not one of these forms is a 400.
import type { Context } from 'hono';
import type { ExpectedVersion } from '../eventStore/types';
import { ApiError } from './problem';

const TAG_LIST = /^\s*(W\/)?"[^"]*"(\s*,\s*(W\/)?"[^"]*")*\s*$/;

/** Sends the ETag; returns a 304 when If-None-Match matches it. */
export function notModified(c: Context, etag: string): Response | null {
  const given = c.req.header('if-none-match');
  if (given !== undefined && given.trim() !== '*' && !TAG_LIST.test(given)) {
    throw new ApiError(400, 'invalid_header', 'If-None-Match must be * or a list of quoted entity tags such as "3"');
  }
  c.header('etag', etag);
  c.header('cache-control', 'private, no-cache');
  if (given === undefined) return null;
  const match = given.trim() === '*' || given.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
  return match ? c.body(null, 304) : null;
}

/** If-Match as an expected version, or undefined when absent. */
export function ifMatchVersion(c: Context): Exclude<ExpectedVersion, 'any' | 'no_stream'> | undefined {
  const h = c.req.header('if-match');
  if (h === undefined) return undefined;
  if (h.trim() === '*') return 'stream_exists';
  const m = /^\s*"?(\d{1,15})"?\s*$/.exec(h);
  if (!m) throw new ApiError(400, 'invalid_header', 'If-Match must be a stream version such as "3", or *');
  return Number(m[1]);
}

export const versionMatches = (expected: ExpectedVersion, version: number) =>
  expected === 'any' || (expected === 'no_stream' ? version === 0 : expected === 'stream_exists' ? version > 0 : expected === version);
