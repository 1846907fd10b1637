-- tt_append_fast again (0008), with the stream lock taken in a statement of its own before the id
-- check: found in review, reproduced against Postgres (a retry blocked behind its original's
-- commit answered 409 wrong_expected_version where tt_append_rendered answers 200).
CREATE OR REPLACE FUNCTION tt_append_fast(p_tenant text, p_stream text, p_entity_type text, p_requests jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_start bigint;
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
  SELECT version INTO v_start FROM streams WHERE tenant_id = p_tenant AND stream_id = p_stream FOR UPDATE;
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
