// A stream's decided state, held in its object for commands to decide on: loaded from the latest
// snapshot plus the events after it, kept in step with every commit, saved as a snapshot each time
// the version crosses a multiple of the snapshot frequency. Dropped whenever it may be behind.
import type { Db } from '../db/client';
import { MODELS } from '../domain/entities';
import { loadSnapshotAndTail, saveSnapshot } from '../eventStore/snapshots';
import type { AppendRequest, AppendResult, StreamKey } from '../eventStore/types';
import { toDomain } from './commandRun';
import { errorText, log } from '../ops/log';

/** Decided state held in memory, how it was loaded, and the newest snapshot saved of it. */
export type Loaded = {
  version: number; state: unknown; loadedFromSnapshot: number | null; replayedEvents: number; snapshotVersion: number | null;
  /** Retention archived the stream (its events are gone): nothing is decided on it. */
  archivedAt: string | null;
};

export class DecidedState {
  current: Loaded | null = null;

  constructor(private db: () => Db, private key: () => StreamKey, private every: number) {}

  /** Inside the stream's queue nothing else writes, so what it loads is the stream as it is. */
  async ensure(): Promise<Loaded> {
    return (this.current ??= await this.load());
  }

  /** Outside the queue a commit may overlap the load: kept only if `quiet()` says none did. */
  async beside(quiet: () => boolean): Promise<Loaded> {
    const loaded = await this.load();
    if (quiet()) this.current ??= loaded;
    return loaded;
  }

  drop() {
    this.current = null;
  }

  /** Keeps the state (when loaded) in step with what was just committed. */
  async follow(requests: AppendRequest[], results: AppendResult[], version: number) {
    const loaded = this.current;
    if (!loaded) return;
    const model = MODELS[this.key().entityType];
    for (const [i, r] of results.entries()) {
      if (r.status !== 201) continue;
      if (r.fromVersion !== loaded.version + 1) break; // events we never saw came in between
      for (const e of requests[i]!.events) loaded.state = model.evolve(loaded.state, toDomain(e));
      loaded.version = r.toVersion;
    }
    if (loaded.version !== version) {
      this.current = null; // out of step: reload on next use
      return;
    }
    if (Math.floor(loaded.version / this.every) > Math.floor((loaded.snapshotVersion ?? 0) / this.every)) {
      await this.snapshot(loaded);
    }
  }

  private async snapshot(loaded: Loaded) {
    const key = this.key();
    try {
      await saveSnapshot(this.db(), key, loaded.version, MODELS[key.entityType].stateVersion, loaded.state);
      loaded.snapshotVersion = loaded.version;
    } catch (e) {
      log(undefined, 'warn', 'stream object: snapshot not saved', { streamId: key.streamId, error: errorText(e) }); // a later one will do
    }
  }

  private async load(): Promise<Loaded> {
    const key = this.key();
    const model = MODELS[key.entityType];
    const { snapshot, events, archived_at } = await loadSnapshotAndTail(this.db(), key, model.stateVersion);
    let state = snapshot ? snapshot.state : model.initial();
    for (const e of events) state = model.evolve(state, toDomain(e));
    const version = events.length ? events[events.length - 1]!.version : (snapshot?.version ?? 0);
    const from = snapshot?.version ?? null;
    const loaded: Loaded = { version, state, loadedFromSnapshot: from, replayedEvents: events.length, snapshotVersion: from, archivedAt: archived_at };
    if (events.length >= this.every) await this.snapshot(loaded);
    return loaded;
  }
}
