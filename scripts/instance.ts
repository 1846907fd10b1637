// How `npm run token` and `npm run seed` find the `npm start` they are meant for, whatever PORT and
// TRACKTRACE_DATA_DIR it was given. A running `npm start` keeps a small file in the checkout,
// .data/run/<port>.json (its URL, port, data folder and the token rules it gave the Worker), and
// removes it when it stops. Token and seed take the one running instance of this checkout; PORT,
// TRACKTRACE_DATA_DIR (and for seed TRACKTRACE_URL) choose among several, and always win.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CHECKOUT, dataDir, SetupError, tokenRulesFromEnv, type TokenRules } from './devKey.ts';

export { SetupError };

export interface Instance {
  pid: number;
  port: number;
  url: string;
  dataDir: string;
  /** false: it trusts AUTH_JWKS_URL / AUTH_JWKS / AUTH_ISSUER instead of the development key */
  devKey: boolean;
  rules: TokenRules;
  startedAt: string;
}

export const RUN_DIR = path.join(CHECKOUT, '.data', 'run');
const DEFAULT_PORT = 8787;

/** Written by `npm start` once the API answers; returns the file, to remove at stop. */
export function recordInstance(i: Instance): string {
  mkdirSync(RUN_DIR, { recursive: true });
  const file = path.join(RUN_DIR, `${i.port}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(i, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
  return file;
}

export function forgetInstance(file: string, pid = process.pid): void {
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as Instance).pid === pid) rmSync(file);
  } catch {}
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The instances of this checkout that are running (files of stopped ones are removed). */
export function runningInstances(): Instance[] {
  let names: string[];
  try {
    names = readdirSync(RUN_DIR).filter((n) => /^\d+\.json$/.test(n));
  } catch {
    return [];
  }
  const found: Instance[] = [];
  for (const n of names) {
    const file = path.join(RUN_DIR, n);
    try {
      const i = JSON.parse(readFileSync(file, 'utf8')) as Instance;
      if (alive(i.pid)) found.push(i);
      else rmSync(file, { force: true });
    } catch {}
  }
  return found.sort((a, b) => a.port - b.port);
}

const shown = (dir: string) => (path.relative(CHECKOUT, dir) || '.').startsWith('..') ? dir : path.relative(CHECKOUT, dir);
/** The environment that picks `i`, as a command prefix: `PORT=8799 `, `` for the defaults. */
export function envFor(i: { port: number; dataDir: string }): string {
  const parts = [];
  if (i.port !== DEFAULT_PORT) parts.push(`PORT=${i.port}`);
  if (path.resolve(i.dataDir) !== path.join(CHECKOUT, '.data')) parts.push(`TRACKTRACE_DATA_DIR=${i.dataDir}`);
  return parts.map((p) => `${p} `).join('');
}
const describeInstance = (i: Instance) => `${i.url} (PORT=${i.port}, TRACKTRACE_DATA_DIR=${shown(i.dataDir)})`;

export interface Target {
  url: string;
  dataDir: string;
  rules: TokenRules;
  instance?: Instance;
  /** Said on stderr: a setting that overrides what the running instance uses. */
  notes: string[];
}

/**
 * The API and development key to use. The running instance of this checkout if there is exactly
 * one matching the given PORT / TRACKTRACE_DATA_DIR / TRACKTRACE_URL; the given settings (or the
 * defaults) when none runs; a SetupError naming what to set when it cannot tell.
 */
export function resolveTarget(tool: 'token' | 'seed'): Target {
  const envDir = process.env.TRACKTRACE_DATA_DIR ? dataDir() : undefined;
  let envPort: number | undefined;
  if (process.env.PORT) {
    envPort = Number(process.env.PORT);
    if (!Number.isInteger(envPort) || envPort <= 0 || envPort > 65535) throw new SetupError(`PORT=${process.env.PORT} is not a port number`);
  }
  const envUrl = tool === 'seed' && process.env.TRACKTRACE_URL ? process.env.TRACKTRACE_URL.replace(/\/+$/, '') : undefined;
  const origin = (u: string) => {
    try {
      return new URL(u).origin;
    } catch {
      throw new SetupError(`TRACKTRACE_URL=${u} is not a URL`);
    }
  };
  const running = runningInstances();
  const matching = running.filter((i) =>
    (envDir === undefined || path.resolve(i.dataDir) === envDir) &&
    (envPort === undefined || i.port === envPort) &&
    (envUrl === undefined || origin(i.url) === origin(envUrl)));

  if (matching.length > 1) {
    throw new SetupError(
      `${matching.length} npm start are running from this checkout: ${matching.map(describeInstance).join('; ')}. ` +
      `Say which with ${matching.map((i) => `PORT=${i.port}`).join(' or ')} (e.g. PORT=${matching[0]!.port} npm run ${tool === 'token' ? '--silent token' : 'seed'})`,
    );
  }
  const instance = matching[0];
  if (instance) {
    if (!instance.devKey) {
      throw new SetupError(
        `the npm start at ${instance.url} trusts the issuer it was given (AUTH_JWKS_URL, AUTH_JWKS or AUTH_ISSUER), not a development key: use a token from that issuer` +
        (tool === 'seed' ? ' (npm run seed needs npm start without those settings)' : ''),
      );
    }
    return { url: envUrl ?? instance.url, dataDir: instance.dataDir, rules: instance.rules, instance, notes: [] };
  }

  const given = [
    envPort !== undefined && `PORT=${envPort}`,
    envDir !== undefined && `TRACKTRACE_DATA_DIR=${process.env.TRACKTRACE_DATA_DIR}`,
    envUrl !== undefined && `TRACKTRACE_URL=${envUrl}`,
  ].filter(Boolean).join(' ');
  const notes: string[] = [];
  if (running.length && given) {
    const list = running.map(describeInstance).join('; ');
    // the instance at the URL (or PORT) given: then it is the data folder that does not match
    const serving = envUrl !== undefined
      ? running.find((i) => origin(i.url) === origin(envUrl))
      : envPort !== undefined || tool === 'seed' ? running.find((i) => i.port === (envPort ?? DEFAULT_PORT)) : undefined;
    if (serving) {
      throw new SetupError(
        `the npm start at ${serving.url} uses TRACKTRACE_DATA_DIR=${serving.dataDir}, not ${envDir}: ` +
        `unset TRACKTRACE_DATA_DIR, or set it to ${serving.dataDir}`,
      );
    }
    // a port alone does not say which key to sign with
    if (envDir === undefined && envUrl === undefined) {
      throw new SetupError(
        `no npm start of this checkout runs on PORT=${envPort}; running: ${list}. ` +
        `Set PORT to one of those${running.length === 1 ? ` (or leave PORT unset: ${tool} then uses that one)` : ''}, or TRACKTRACE_DATA_DIR to the data folder of the API you mean`,
      );
    }
    // seed needs the API too: a data folder alone does not say where it is
    if (tool === 'seed' && envUrl === undefined && envPort === undefined) {
      throw new SetupError(
        `no npm start of this checkout uses TRACKTRACE_DATA_DIR=${envDir}; running: ${list}. ` +
        `Unset TRACKTRACE_DATA_DIR (seed then uses ${running.length === 1 ? 'that one' : 'the one PORT names'}), or set PORT (or TRACKTRACE_URL) to the API that uses ${envDir}`,
      );
    }
    notes.push(`no npm start of this checkout runs with ${given} (running: ${list}); going on with ${given} as set`);
  }
  return {
    url: envUrl ?? `http://127.0.0.1:${envPort ?? DEFAULT_PORT}`,
    dataDir: envDir ?? dataDir(),
    rules: tokenRulesFromEnv(),
    notes,
  };
}
