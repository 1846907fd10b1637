-- Retention (src/retention/): archived streams' events move to events_archive, every column as
-- it was; streams.archived_at marks the stream, and appends refuse it (tt_append_fast below).
-- streams_retention_idx finds the candidates; it is on created_at, which appends never change.
-- Building it blocks writes to streams for as long as it takes: on a big store, build it first by
-- hand (CREATE INDEX CONCURRENTLY, same definition); IF NOT EXISTS then skips it here.
CREATE TABLE "events_archive" (
	"global_position" bigint NOT NULL,
	"tenant_id" text NOT NULL,
	"stream_id" text NOT NULL,
	"version" bigint NOT NULL,
	"event_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"schema_version" integer NOT NULL,
	"data" jsonb NOT NULL,
	"metadata" jsonb NOT NULL,
	"location" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"correlation_id" uuid,
	"causation_id" uuid,
	"transaction_id" "xid8" NOT NULL,
	"archived_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_archive_pkey" PRIMARY KEY("tenant_id","stream_id","version")
);
--> statement-breakpoint
CREATE TABLE "retention_policies" (
	"tenant_id" text NOT NULL,
	"entity_type" text NOT NULL,
	"events_keep" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text,
	CONSTRAINT "retention_policies_tenant_id_entity_type_pk" PRIMARY KEY("tenant_id","entity_type")
);
--> statement-breakpoint
ALTER TABLE "streams" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "streams_retention_idx" ON "streams" USING btree ("tenant_id","entity_type","created_at") WHERE archived_at is null;
--> statement-breakpoint
-- tt_append_fast as in 0010, but an archived stream refuses every request with 410 stream_archived.
-- The check reuses the stream lock statement (no extra statement per append), and under that lock
-- it cannot race retention, which takes the same lock before it moves anything: an append never
-- writes after a move (that would be a stream with a gap). tt_append_batch and the retry path
-- (tt_append_rendered) are reached only through this function, so they keep their definitions.
CREATE OR REPLACE FUNCTION tt_append_fast(p_tenant text, p_stream text, p_entity_type text, p_requests jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_start bigint;
  v_archived timestamptz;
  v_seen boolean;
  v_version bigint;
  v_base bigint;
  v_exp jsonb;
  v_n int;
  v_from bigint[] := '{}'; -- per request: version before it, NULL when refused
  v_cur bigint[] := '{}';  -- per request: the stream's version when it was refused
  v_ns int[] := '{}';
  v_positions bigint[];
  v_rendered text[];
  r jsonb;
BEGIN
  -- The lock first, on its own: a statement that waited for the lock still reads with the snapshot
  -- it started with, so an id check in the same statement would miss the ids the transaction it
  -- waited for just committed (a retry racing its original would get 409 instead of 200).
  SELECT version, archived_at INTO v_start, v_archived FROM streams WHERE tenant_id = p_tenant AND stream_id = p_stream FOR UPDATE;
  IF v_archived IS NOT NULL THEN
    RETURN jsonb_build_object('version', v_start, 'rendered', '[]'::jsonb,
      'archivedAt', to_char(v_archived AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'results', (SELECT jsonb_agg(jsonb_build_object('status', 410, 'code', 'stream_archived',
                    'archivedAt', to_char(v_archived AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
                    FROM jsonb_array_elements(p_requests)));
  END IF;
  SELECT EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = p_tenant AND e.event_id = ANY (ids))
           OR cardinality(ids) <> (SELECT count(DISTINCT x) FROM unnest(ids) x)
    INTO v_seen
    FROM (SELECT ARRAY(SELECT (ev->>'id')::uuid FROM jsonb_array_elements(p_requests) q, jsonb_array_elements(q->'events') ev) AS ids) t;
  IF v_seen THEN
    RETURN tt_append_rendered(p_tenant, p_stream, p_entity_type, p_requests);
  END IF;
  v_base := coalesce(v_start, 0);
  v_version := v_base;
  FOR r IN SELECT value FROM jsonb_array_elements(p_requests) LOOP
    v_n := jsonb_array_length(r->'events');
    v_exp := r->'expected';
    v_ns := v_ns || v_n;
    IF (jsonb_typeof(v_exp) = 'number' AND v_version <> (v_exp)::bigint)
       OR (v_exp = '"no_stream"' AND v_version <> 0)
       OR (v_exp = '"stream_exists"' AND v_version = 0) THEN
      v_from := v_from || NULL::bigint;
      v_cur := v_cur || v_version;
    ELSE
      v_from := v_from || v_version;
      v_cur := v_cur || NULL::bigint;
      v_version := v_version + v_n;
    END IF;
  END LOOP;

  IF v_version > v_base THEN
    WITH ins AS (
      INSERT INTO events (tenant_id, stream_id, version, event_id, event_type, schema_version, data,
                          metadata, location, occurred_at, correlation_id, causation_id)
      SELECT p_tenant, p_stream, v_from[q.i] + a.o, (a.ev->>'id')::uuid, a.ev->>'type',
             (a.ev->>'schemaVersion')::int, a.ev->'data', coalesce(a.ev->'metadata', '{}'::jsonb),
             a.ev->>'location', (a.ev->>'occurredAt')::timestamptz,
             (a.ev->>'correlationId')::uuid, (a.ev->>'causationId')::uuid
        FROM jsonb_array_elements(p_requests) WITH ORDINALITY q(req, i),
             jsonb_array_elements(q.req->'events') WITH ORDINALITY a(ev, o)
       WHERE v_from[q.i] IS NOT NULL
      RETURNING version, global_position, tt_render(events.*) AS txt
    ), st AS (
      INSERT INTO streams (tenant_id, stream_id, entity_type, version)
      VALUES (p_tenant, p_stream, p_entity_type, v_version)
      ON CONFLICT (tenant_id, stream_id) DO UPDATE SET version = excluded.version, updated_at = now()
    ), ob AS (
      INSERT INTO outbox (tenant_id, stream_id, from_version, to_version)
      VALUES (p_tenant, p_stream, v_base + 1, v_version)
    )
    SELECT array_agg(global_position ORDER BY version), array_agg(txt ORDER BY version)
      INTO v_positions, v_rendered FROM ins;
  END IF;

  RETURN jsonb_build_object('version', v_version, 'rendered', to_jsonb(coalesce(v_rendered, '{}')), 'results',
    (SELECT jsonb_agg(CASE WHEN v_from[i] IS NULL
        THEN jsonb_build_object('status', 409, 'code', 'wrong_expected_version', 'currentVersion', v_cur[i])
        ELSE jsonb_build_object('status', 201, 'fromVersion', v_from[i] + 1, 'toVersion', v_from[i] + v_ns[i],
               'positions', to_jsonb(v_positions[v_from[i] - v_base + 1 : v_from[i] - v_base + v_ns[i]])) END ORDER BY i)
       FROM generate_subscripts(v_ns, 1) i));
END;
$$;
--> statement-breakpoint
-- tt_archive_stream: moves one stream to the archive in one transaction, or leaves it untouched.
-- Under the stream's lock (appends wait, then see archived_at) it checks again that the stream is
-- idle since p_before, not held (retain_until), and fully projected (no outbox row); then its events
-- go to events_archive in ONE statement that deletes and inserts the same rows (nothing is deleted
-- that is not archived), checked against the stream's version (versions are 1..version); then the
-- data derived from it only: its snapshot, and its rows in the status and timeline read models and,
-- for a flight, its manifest (in the generation being rebuilt too). Metric samples stay (aggregates),
-- and so do the read models' applied-version rows, so a late duplicate delivery stays a no-op.
-- Outcomes: archived, already (archived before), active, held, pending, missing.
CREATE OR REPLACE FUNCTION tt_archive_stream(p_tenant text, p_stream text, p_before timestamptz)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  s streams;
  g record;
  v_moved bigint;
  v_at text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
BEGIN
  -- it runs beside live appends and projections: a long wait leaves the stream for the next run
  PERFORM set_config('lock_timeout', '2s', true);
  -- Rebuilds lock their projections row FOR UPDATE before touching read-model tables (start, pages,
  -- switch); this lock, taken first too, waits for them and keeps them out until commit, so the
  -- __next tables seen below are all there are, and no page re-applies what is deleted here. It does
  -- not conflict with the live projector's updates of the same rows.
  PERFORM 1 FROM projections FOR KEY SHARE;
  SELECT * INTO s FROM streams WHERE tenant_id = p_tenant AND stream_id = p_stream FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('outcome', 'missing');
  END IF;
  IF s.archived_at IS NOT NULL THEN
    RETURN jsonb_build_object('outcome', 'already', 'archivedAt', to_char(s.archived_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
  END IF;
  IF s.updated_at >= p_before THEN
    RETURN jsonb_build_object('outcome', 'active');
  END IF;
  IF s.retain_until > now() THEN
    RETURN jsonb_build_object('outcome', 'held');
  END IF;
  IF EXISTS (SELECT 1 FROM outbox o WHERE o.tenant_id = p_tenant AND o.stream_id = p_stream) THEN
    RETURN jsonb_build_object('outcome', 'pending');
  END IF;

  WITH moved AS (
    DELETE FROM events WHERE tenant_id = p_tenant AND stream_id = p_stream RETURNING *
  )
  INSERT INTO events_archive (global_position, tenant_id, stream_id, version, event_id, event_type, schema_version, data,
                              metadata, location, occurred_at, recorded_at, correlation_id, causation_id, transaction_id, archived_at)
  SELECT global_position, tenant_id, stream_id, version, event_id, event_type, schema_version, data,
         metadata, location, occurred_at, recorded_at, correlation_id, causation_id, transaction_id, now()
    FROM moved;
  GET DIAGNOSTICS v_moved = ROW_COUNT;
  IF v_moved <> s.version THEN
    RAISE EXCEPTION 'tt_archive_stream: %/% has % events for version %; nothing moved', p_tenant, p_stream, v_moved, s.version;
  END IF;

  DELETE FROM snapshots WHERE tenant_id = p_tenant AND stream_id = p_stream;
  DELETE FROM rm_status WHERE tenant_id = p_tenant AND stream_id = p_stream;
  DELETE FROM rm_timeline WHERE tenant_id = p_tenant AND stream_id = p_stream;
  IF s.entity_type = 'flight' THEN
    DELETE FROM rm_manifest WHERE tenant_id = p_tenant AND flight_id = substr(p_stream, length('flight-') + 1);
  END IF;
  FOR g IN SELECT name FROM projections WHERE rebuild_generation IS NOT NULL AND name IN ('status', 'timeline', 'manifest') LOOP
    IF g.name = 'manifest' THEN
      IF s.entity_type = 'flight' THEN
        EXECUTE 'DELETE FROM rm_manifest__next WHERE tenant_id = $1 AND flight_id = $2' USING p_tenant, substr(p_stream, length('flight-') + 1);
      END IF;
    ELSE
      EXECUTE format('DELETE FROM %I WHERE tenant_id = $1 AND stream_id = $2', 'rm_' || g.name || '__next') USING p_tenant, p_stream;
    END IF;
  END LOOP;

  UPDATE streams SET archived_at = now() WHERE tenant_id = p_tenant AND stream_id = p_stream;
  RETURN jsonb_build_object('outcome', 'archived', 'events', v_moved, 'archivedAt', v_at);
END;
$$;
