-- tt_render: an event as the API shows it (one definition for stream reads and for appends).
-- tt_append_rendered: tt_append, plus the events it inserted rendered that way, so a stream's
-- object can answer reads of its newest events from memory, byte for byte what a read returns.
CREATE OR REPLACE FUNCTION tt_render(e events) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT row_to_json(p)::text
    FROM (SELECT e.event_id AS "id", e.version, e.global_position AS "position", e.event_type AS "type",
                 e.schema_version AS "schemaVersion",
                 to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "occurredAt",
                 to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "recordedAt",
                 e.location, e.data, e.metadata) p
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION tt_append_rendered(p_tenant text, p_stream text, p_entity_type text, p_requests jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_result jsonb;
  v_inserted bigint;
BEGIN
  v_result := tt_append(p_tenant, p_stream, p_entity_type, p_requests);
  SELECT coalesce(sum((r->>'toVersion')::bigint - (r->>'fromVersion')::bigint + 1), 0) INTO v_inserted
    FROM jsonb_array_elements(v_result->'results') r WHERE r->>'status' = '201';
  RETURN v_result || jsonb_build_object('rendered',
    (SELECT coalesce(jsonb_agg(tt_render(e) ORDER BY e.version), '[]'::jsonb) FROM events e
      WHERE e.tenant_id = p_tenant AND e.stream_id = p_stream
        AND e.version > (v_result->>'version')::bigint - v_inserted));
END;
$$;
