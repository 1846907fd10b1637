// What every read model shares: the events it is given and the one function it implements.
import type { Db } from '../db/client';
import type { EntityType } from '../domain/identifiers';

/** A stored event as projections see it: upcast to its type's latest schema. */
export type ProjectionEvent = {
  tenantId: string;
  streamId: string;
  entityType: EntityType;
  entityId: string;
  version: number;
  position: number;
  type: string;
  data: Record<string, any>;
  location: string | null;
  occurredAt: string;
  recordedAt: string;
  actor: string | null;
  source: string | null;
};

/** One stream's new events (versions applied+1.., in order) and the state the read model keeps for it. */
export type StreamBatch = {
  tenantId: string;
  streamId: string;
  entityType: EntityType;
  entityId: string;
  /** What the read model folded so far (null before its first event); set it to what it folds now. */
  state: any;
  events: ProjectionEvent[];
};

export type ProjectionName = 'status' | 'timeline' | 'manifest' | 'metrics';

export type Projection = {
  name: ProjectionName;
  /** Its tables besides `rm_<name>_applied`; a rebuild builds all of them anew. */
  tables: string[];
  /** Writes the batch into the generation whose table names `t` gives. Must be idempotent per stream version. */
  apply(db: Db, t: (table: string) => string, batch: StreamBatch[]): Promise<void>;
};
