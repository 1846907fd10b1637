// Opaque page cursors: the sort key of the last row, base64url JSON. A cursor that does not decode is a 400.
import { ApiError } from '../http/problem';

export const encodeCursor = (key: unknown[]) => btoa(JSON.stringify(key)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');

export function decodeCursor<T extends unknown[]>(cursor: string | undefined, check: (k: unknown[]) => boolean): T | null {
  if (cursor === undefined) return null;
  try {
    const key = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/')));
    if (Array.isArray(key) && check(key)) return key as T;
  } catch {}
  throw new ApiError(400, 'invalid_cursor', 'the cursor is not one this API returned');
}

export const ISO_MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
