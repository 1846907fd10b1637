-- tt_append, set-based: one look-up for every id of the group, one INSERT for every accepted
-- event, one UPDATE of the stream row. The first version ran two statements per request and
-- concatenated its result in a loop, so a group of 50 cost ~0.9 ms per request instead of less.
-- Same contract as 0001 (see there).
CREATE OR REPLACE FUNCTION tt_append(p_tenant text, p_stream text, p_entity_type text, p_requests jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_start bigint;
  v_exists boolean;
  v_version bigint;
  v_base bigint;
  v_known jsonb;          -- event id -> {same, type, data, version, position} of stored (or just accepted) events
  v_check boolean;        -- do ids need checking at all?
  v_plan jsonb[] := '{}'; -- one entry per request, in order
  v_rows jsonb[] := '{}'; -- accepted requests: {from, events}
  v_positions bigint[];
  r record;
  v_n int;
  v_found int;
  v_same int;
  v_exp jsonb;
  v_results jsonb;
BEGIN
  SELECT version INTO v_start FROM streams
   WHERE tenant_id = p_tenant AND stream_id = p_stream FOR UPDATE;
  v_exists := FOUND;
  v_base := coalesce(v_start, 0);
  v_version := v_base;

  SELECT coalesce(jsonb_object_agg(e.event_id::text, jsonb_build_object(
           'same', e.stream_id = p_stream, 'type', e.event_type, 'data', e.data,
           'version', e.version, 'position', e.global_position)), '{}'::jsonb)
    INTO v_known
    FROM events e
   WHERE e.tenant_id = p_tenant
     AND e.event_id = ANY (ARRAY(SELECT (ev->>'id')::uuid
                                  FROM jsonb_array_elements(p_requests) q, jsonb_array_elements(q->'events') ev));
  -- ids repeated across the group's requests (a retry queued behind its original) need checking too
  SELECT v_known <> '{}'::jsonb OR count(*) <> count(DISTINCT ev->>'id') INTO v_check
    FROM jsonb_array_elements(p_requests) q, jsonb_array_elements(q->'events') ev;

  FOR r IN SELECT q.value AS req FROM jsonb_array_elements(p_requests) q LOOP
    v_n := jsonb_array_length(r.req->'events');
    IF v_check THEN
      SELECT count(*) FILTER (WHERE v_known ? (ev->>'id')),
             count(*) FILTER (WHERE (v_known->(ev->>'id')->>'same')::boolean
                                AND v_known->(ev->>'id')->>'type' = ev->>'type'
                                AND v_known->(ev->>'id')->'data' = ev->'data')
        INTO v_found, v_same
        FROM jsonb_array_elements(r.req->'events') ev;
      IF v_found > 0 THEN
        IF v_found = v_n AND v_same = v_n THEN
          v_plan := v_plan || jsonb_build_object('status', 200, 'stored',
            (SELECT jsonb_agg(v_known->(ev->>'id')) FROM jsonb_array_elements(r.req->'events') ev));
        ELSE
          v_plan := v_plan || jsonb_build_object('status', 409, 'code', 'event_id_conflict', 'currentVersion', v_version,
            'eventIds', (SELECT jsonb_agg(ev->'id') FROM jsonb_array_elements(r.req->'events') ev
                          WHERE v_known ? (ev->>'id')
                            AND NOT ((v_known->(ev->>'id')->>'same')::boolean
                                     AND v_known->(ev->>'id')->>'type' = ev->>'type'
                                     AND v_known->(ev->>'id')->'data' = ev->'data')));
        END IF;
        CONTINUE;
      END IF;
    END IF;

    v_exp := r.req->'expected';
    IF (jsonb_typeof(v_exp) = 'number' AND v_version <> (v_exp)::bigint)
       OR (v_exp = '"no_stream"' AND v_version <> 0)
       OR (v_exp = '"stream_exists"' AND v_version = 0) THEN
      v_plan := v_plan || jsonb_build_object('status', 409, 'code', 'wrong_expected_version', 'currentVersion', v_version);
      CONTINUE;
    END IF;

    v_plan := v_plan || jsonb_build_object('status', 201, 'fromVersion', v_version + 1, 'toVersion', v_version + v_n);
    v_rows := v_rows || jsonb_build_object('from', v_version, 'events', r.req->'events');
    IF v_check THEN
      v_known := v_known || (SELECT jsonb_object_agg(a.ev->>'id', jsonb_build_object('same', true, 'type', a.ev->>'type',
                               'data', a.ev->'data', 'version', v_version + a.o, 'position', null))
                               FROM jsonb_array_elements(r.req->'events') WITH ORDINALITY a(ev, o));
    END IF;
    v_version := v_version + v_n;
  END LOOP;

  IF v_version > v_base THEN
    WITH ins AS (
      INSERT INTO events (tenant_id, stream_id, version, event_id, event_type, schema_version, data,
                          metadata, location, occurred_at, correlation_id, causation_id)
      SELECT p_tenant, p_stream, (x->>'from')::bigint + a.o, (a.ev->>'id')::uuid, a.ev->>'type',
             (a.ev->>'schemaVersion')::int, a.ev->'data', coalesce(a.ev->'metadata', '{}'::jsonb),
             a.ev->>'location', (a.ev->>'occurredAt')::timestamptz,
             (a.ev->>'correlationId')::uuid, (a.ev->>'causationId')::uuid
        FROM unnest(v_rows) x, jsonb_array_elements(x->'events') WITH ORDINALITY a(ev, o)
      RETURNING version, global_position
    )
    SELECT array_agg(global_position ORDER BY version) INTO v_positions FROM ins;

    IF v_exists THEN
      UPDATE streams SET version = v_version, updated_at = now()
       WHERE tenant_id = p_tenant AND stream_id = p_stream;
    ELSE
      INSERT INTO streams (tenant_id, stream_id, entity_type, version)
      VALUES (p_tenant, p_stream, p_entity_type, v_version);
    END IF;
  END IF;

  -- positions of events written here are v_positions[version - v_base]
  SELECT jsonb_agg(CASE p->>'status'
           WHEN '201' THEN p || jsonb_build_object('positions',
             (SELECT jsonb_agg(v_positions[v - v_base] ORDER BY v)
                FROM generate_series((p->>'fromVersion')::bigint, (p->>'toVersion')::bigint) v))
           WHEN '200' THEN jsonb_build_object('status', 200,
             'fromVersion', (SELECT min((s->>'version')::bigint) FROM jsonb_array_elements(p->'stored') s),
             'toVersion', (SELECT max((s->>'version')::bigint) FROM jsonb_array_elements(p->'stored') s),
             'positions', (SELECT jsonb_agg(coalesce((s->>'position')::bigint, v_positions[(s->>'version')::bigint - v_base])
                                            ORDER BY (s->>'version')::bigint)
                             FROM jsonb_array_elements(p->'stored') s))
           ELSE p END ORDER BY i)
    INTO v_results
    FROM unnest(v_plan) WITH ORDINALITY u(p, i);

  RETURN jsonb_build_object('version', v_version, 'results', coalesce(v_results, '[]'::jsonb));
END;
$$;
