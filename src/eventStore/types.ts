// Shapes shared by the Worker and the stream's Durable Object (RPC passes plain objects).
import type { CommandContext } from '../domain/decision';
import type { EntityType } from '../domain/identifiers';

export type ExpectedVersion = number | 'any' | 'no_stream' | 'stream_exists';

export type NewEvent = {
  id: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  location: string | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  correlationId: string | null;
  causationId: string | null;
};

export type StreamKey = { tenantId: string; streamId: string; entityType: EntityType };

export type AppendRequest = { expected: ExpectedVersion; events: NewEvent[] };

export type AppendResult =
  | { status: 201 | 200; fromVersion: number; toVersion: number; positions: number[] }
  | { status: 409; code: 'wrong_expected_version' | 'event_id_conflict'; currentVersion: number; eventIds?: string[] }
  | { status: 422; code: 'invalid_value'; detail: string }
  | Archived
  | { status: 503; code: 'database_unavailable'; detail: string };

/** The stream's events were moved to the archive by retention (src/retention/): it takes no more. */
export type Archived = { status: 410; code: 'stream_archived'; archivedAt: string };

export type ReadRequest = { fromVersion?: number; limit: number; direction: 'forward' | 'backward' };

/** `events` is the JSON text of the page, built by Postgres, passed through untouched. */
export type ReadResult =
  | { status: 200; version: number; events: string }
  | { status: 404 }
  | Archived
  | { status: 503; code: 'database_unavailable'; detail: string };

export type StreamInfo =
  | { status: 200; info: { streamId: string; entityType: string; version: number; createdAt: string; updatedAt: string } }
  | { status: 404 }
  | Archived
  | { status: 503; code: 'database_unavailable'; detail: string };

export type CommandRequest = {
  type: string;
  data: Record<string, unknown>;
  ctx: CommandContext;
  /** Idempotency-Key header or commandId: the same key on the same stream returns the first answer. */
  idempotencyKey: string | null;
  /** What the key is bound to: a digest of the command and its body; the same key with another is a 422. */
  requestHash: string;
  /** From If-Match: the version the command must be decided at (null: whatever it is). */
  expected: ExpectedVersion | null;
  metadata: Record<string, unknown>;
  correlationId: string;
  causationId: string | null;
};

export type CommandResult =
  | { status: 201; replayed: boolean; version: number; /** JSON text */ events: string }
  | { status: 409; code: string; detail: string; currentVersion?: number }
  | { status: 422; code: 'invalid_value' | 'idempotency_key_reused'; detail: string }
  | Archived
  | { status: 503; code: 'database_unavailable'; detail: string };

export type StateResult =
  | { status: 200; version: number; /** JSON text */ state: string; snapshotVersion: number | null; replayedEvents: number }
  | { status: 404 }
  | Archived
  | { status: 503; code: 'database_unavailable'; detail: string };
