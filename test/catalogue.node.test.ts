// The error catalogue is closed: every code the source can answer is in src/ops/errors.ts with the
// status it is answered with, every catalogued code is still answered somewhere, and each command's
// rules are the ones its decide function can reject with. A scan of the source text (runs in Node).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_RULES, ERRORS, RULES } from '../src/ops/errors';

const SRC = path.join(__dirname, '..', 'src');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []));
const sources = files(SRC)
  .filter((f) => !f.startsWith(path.join(SRC, 'ops')))
  .map((f) => ({ file: path.relative(SRC, f), text: readFileSync(f, 'utf8') }));

// zod's own issue code, not an answer of the API
const NOT_ANSWERS = new Set(['custom']);

function thrown() {
  const found: { code: string; status?: number; file: string }[] = [];
  for (const { file, text } of sources) {
    for (const m of text.matchAll(/new ApiError\(\s*(\d{3}),\s*'([a-z0-9_]+)'/g)) found.push({ code: m[2]!, status: Number(m[1]), file });
    for (const m of text.matchAll(/\bcode:\s*('[a-z0-9_]+'(?:\s*\|\s*'[a-z0-9_]+')*)/g)) {
      for (const c of m[1]!.matchAll(/'([a-z0-9_]+)'/g)) found.push({ code: c[1]!, file });
    }
    for (const m of text.matchAll(/\breject\(\s*'([a-z0-9_]+)'/g)) found.push({ code: m[1]!, status: 409, file });
    // a code picked by a condition: reject(cond ? 'a' : 'b', …) or new ApiError(s, cond ? 'a' : 'b', …)
    for (const m of text.matchAll(/(?:\breject|new ApiError)\(\s*(?:[\w.]+,\s*)?[^,'"`]*\?\s*'([a-z0-9_]+)'\s*:\s*'([a-z0-9_]+)'/g)) {
      found.push({ code: m[1]!, file }, { code: m[2]!, file });
    }
  }
  return found.filter((f) => !NOT_ANSWERS.has(f.code));
}

describe('the error catalogue', () => {
  const found = thrown();

  it('lists every code the source answers, with its status', () => {
    expect(found.length).toBeGreaterThan(40);
    const missing = found.filter((f) => !ERRORS[f.code]).map((f) => `${f.code} (${f.file})`);
    expect(missing, 'codes answered by src/ but missing from src/ops/errors.ts').toEqual([]);
    const wrongStatus = found.filter((f) => f.status && ERRORS[f.code]!.status !== f.status).map((f) => `${f.code}: ${f.status} in ${f.file}, ${ERRORS[f.code]!.status} in the catalogue`);
    expect(wrongStatus).toEqual([]);
  });

  it('lists no code the source no longer answers', () => {
    const answered = new Set(found.map((f) => f.code));
    expect(Object.keys(ERRORS).filter((c) => !answered.has(c))).toEqual([]);
  });

  it('gives each command the rules its decide function rejects with', () => {
    const scanned: Record<string, Set<string>> = {};
    for (const { text } of sources.filter((s) => s.file.startsWith('domain'))) {
      const marks = [...text.matchAll(/case '([A-Z]\w+)':|\breject\(\s*(?:[^,]*\?\s*)?'([a-z0-9_]+)'(?:\s*:\s*'([a-z0-9_]+)')?/g)];
      let command: string | null = null;
      for (const m of marks) {
        if (m[1]) command = m[1];
        else if (command && COMMAND_RULES[command]) {
          for (const code of [m[2], m[3]].filter(Boolean) as string[]) (scanned[command] ??= new Set()).add(code);
        }
      }
    }
    // a route-level rule: the items a ULD load lists must exist (src/streams/commands.ts)
    (scanned.LoadUld ??= new Set()).add('uld_load_unknown_items');
    for (const [command, rules] of Object.entries(COMMAND_RULES)) {
      expect([...(scanned[command] ?? [])].sort(), command).toEqual([...rules].sort());
    }
    const ruled = new Set(Object.values(COMMAND_RULES).flat());
    expect(Object.keys(RULES).filter((r) => !ruled.has(r))).toEqual([]);
  });
});
