// ISO 8601 durations as retention policies are written: `P365D`, `P4W`, `PT12H`, `P1DT6H30M`.
// Years and months are refused: they have no fixed length, and a policy must mean one span of
// time. Whole numbers only; at least one second, at most 100 years.

export type Duration = { text: string; seconds: number };
export type DurationCheck = ({ ok: true } & Duration) | { ok: false; message: string };

const FORM = /^P(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,7})H)?(?:(\d{1,9})M)?(?:(\d{1,10})S)?)?$/;
const MAX_SECONDS = 36_500 * 86_400;
const EXAMPLES = 'e.g. P365D, P4W, PT12H or P1DT6H';

export function parseDuration(text: unknown): DurationCheck {
  if (typeof text !== 'string') return { ok: false, message: `an ISO 8601 duration is a string (${EXAMPLES})` };
  const m = FORM.exec(text);
  if (!m) {
    if (/^P(\d+Y|\d+M|.*\dY|[^T]*\dM)/.test(text)) {
      return { ok: false, message: `years and months have no fixed length: give the duration in weeks, days, hours, minutes or seconds (${EXAMPLES})` };
    }
    return { ok: false, message: `"${text.slice(0, 40)}" is not an ISO 8601 duration of weeks, days, hours, minutes and whole seconds (${EXAMPLES})` };
  }
  const [, w, d, h, min, s] = m;
  if (text.endsWith('T') || text === 'P') return { ok: false, message: `"${text}" names no amount of time (${EXAMPLES})` };
  const seconds = ((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 + Number(h ?? 0)) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
  if (seconds < 1) return { ok: false, message: `a retention is at least one second (PT1S), not "${text}"` };
  if (seconds > MAX_SECONDS) return { ok: false, message: `a retention is at most 100 years (P36500D), not "${text}"` };
  return { ok: true, text, seconds };
}

/** A configured duration (wrangler var) or its default; a bad value is a configuration error. */
export function configuredDuration(value: string | undefined, fallback: string, name: string): Duration {
  const parsed = parseDuration(value?.trim() || fallback);
  if (!parsed.ok) throw new Error(`${name}: ${parsed.message}`);
  return { text: parsed.text, seconds: parsed.seconds };
}
