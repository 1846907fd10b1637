-- tt_append: one round trip per group commit. Takes every append request queued in a stream's
-- Durable Object, checks each against its own expected version and the tenant's stored event ids,
-- inserts the accepted events and moves the stream row, all in the caller's single statement.
-- Requests: [{expected: n | "any" | "no_stream" | "stream_exists", events: [{id, type, schemaVersion,
-- data, metadata, location, occurredAt, correlationId, causationId}]}]
-- Result: {version, results: [{status: 201|200, fromVersion, toVersion, positions}
--                            | {status: 409, code, currentVersion | eventIds}]}
CREATE OR REPLACE FUNCTION tt_append(p_tenant text, p_stream text, p_entity_type text, p_requests jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_start bigint;
  v_version bigint;
  v_exists boolean;
  r jsonb;
  v_expected jsonb;
  v_n int;
  v_found int;
  v_same int;
  v_from bigint;
  v_to bigint;
  v_positions jsonb;
  v_conflicting jsonb;
  v_results jsonb := '[]'::jsonb;
BEGIN
  SELECT version INTO v_start FROM streams
   WHERE tenant_id = p_tenant AND stream_id = p_stream FOR UPDATE;
  v_exists := FOUND;
  v_version := coalesce(v_start, 0);

  FOR r IN SELECT value FROM jsonb_array_elements(p_requests) LOOP
    v_n := jsonb_array_length(r->'events');

    -- Idempotency: an event id the tenant already stored is never stored again.
    SELECT count(*),
           count(*) FILTER (WHERE e.stream_id = p_stream AND e.event_type = q.value->>'type'
                                  AND e.data = q.value->'data'),
           min(e.version), max(e.version),
           coalesce(jsonb_agg(e.global_position ORDER BY e.version), '[]'::jsonb),
           coalesce(jsonb_agg(e.event_id) FILTER (WHERE NOT (e.stream_id = p_stream
                      AND e.event_type = q.value->>'type' AND e.data = q.value->'data')), '[]'::jsonb)
      INTO v_found, v_same, v_from, v_to, v_positions, v_conflicting
      FROM jsonb_array_elements(r->'events') q
      JOIN events e ON e.tenant_id = p_tenant AND e.event_id = (q.value->>'id')::uuid;

    IF v_found > 0 THEN
      IF v_found = v_n AND v_same = v_n THEN
        v_results := v_results || jsonb_build_array(jsonb_build_object(
          'status', 200, 'fromVersion', v_from, 'toVersion', v_to, 'positions', v_positions));
      ELSE
        v_results := v_results || jsonb_build_array(jsonb_build_object(
          'status', 409, 'code', 'event_id_conflict', 'currentVersion', v_version,
          'eventIds', CASE WHEN jsonb_array_length(v_conflicting) > 0 THEN v_conflicting
                      ELSE (SELECT jsonb_agg(q.value->'id') FROM jsonb_array_elements(r->'events') q
                             WHERE EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = p_tenant
                                             AND e.event_id = (q.value->>'id')::uuid)) END));
      END IF;
      CONTINUE;
    END IF;

    v_expected := r->'expected';
    IF (jsonb_typeof(v_expected) = 'number' AND v_version <> (v_expected)::bigint)
       OR (v_expected = '"no_stream"' AND v_version <> 0)
       OR (v_expected = '"stream_exists"' AND v_version = 0) THEN
      v_results := v_results || jsonb_build_array(jsonb_build_object(
        'status', 409, 'code', 'wrong_expected_version', 'currentVersion', v_version));
      CONTINUE;
    END IF;

    WITH ins AS (
      INSERT INTO events (tenant_id, stream_id, version, event_id, event_type, schema_version, data,
                          metadata, location, occurred_at, correlation_id, causation_id)
      SELECT p_tenant, p_stream, v_version + a.ord, (a.ev->>'id')::uuid, a.ev->>'type',
             (a.ev->>'schemaVersion')::int, a.ev->'data', coalesce(a.ev->'metadata', '{}'::jsonb),
             a.ev->>'location', (a.ev->>'occurredAt')::timestamptz,
             (a.ev->>'correlationId')::uuid, (a.ev->>'causationId')::uuid
        FROM jsonb_array_elements(r->'events') WITH ORDINALITY AS a(ev, ord)
      RETURNING version, global_position
    )
    SELECT jsonb_agg(global_position ORDER BY version) INTO v_positions FROM ins;

    v_results := v_results || jsonb_build_array(jsonb_build_object(
      'status', 201, 'fromVersion', v_version + 1, 'toVersion', v_version + v_n, 'positions', v_positions));
    v_version := v_version + v_n;
  END LOOP;

  IF v_version <> coalesce(v_start, 0) THEN
    IF v_exists THEN
      UPDATE streams SET version = v_version, updated_at = now()
       WHERE tenant_id = p_tenant AND stream_id = p_stream;
    ELSE
      INSERT INTO streams (tenant_id, stream_id, entity_type, version)
      VALUES (p_tenant, p_stream, p_entity_type, v_version);
    END IF;
  END IF;

  RETURN jsonb_build_object('version', v_version, 'results', v_results);
END;
$$;
