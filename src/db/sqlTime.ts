// How SQL renders a timestamptz for the API: UTC ISO 8601 with milliseconds (the API's format),
// or microseconds where a cursor must compare exactly.
export const isoMillis = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
export const isoMicros = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
