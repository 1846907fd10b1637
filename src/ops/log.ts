// Structured logs: one JSON object per line, which Workers Logs ([observability] in wrangler.toml)
// indexes field by field. Callers pass ids, names, counts and durations only: never a token, never an
// event's data (the request log and the consumer's batch line are built that way).

export type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold: { from: string | undefined; rank: number } | null = null;

/** The lowest level written (LOG_LEVEL, default info); an unknown value means info. */
function minRank(env: Pick<Env, 'LOG_LEVEL'> | undefined): number {
  const from = env?.LOG_LEVEL;
  if (threshold && threshold.from === from) return threshold.rank;
  const rank = RANK[(from?.toLowerCase() ?? 'info') as Level] ?? RANK.info;
  threshold = { from, rank };
  return rank;
}

export const enabled = (env: Pick<Env, 'LOG_LEVEL'> | undefined, level: Level) => RANK[level] >= minRank(env);

export function log(env: Pick<Env, 'LOG_LEVEL'> | undefined, level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  if (!enabled(env, level)) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

/** An error as a log field: its message, never a stack with request data in it. */
export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 500);
