-- tt_append_rendered, plus one outbox row per commit group that inserted events: written in the
-- same transaction, so a committed event always has its outbox row until the projections applied it.
CREATE OR REPLACE FUNCTION tt_append_rendered(p_tenant text, p_stream text, p_entity_type text, p_requests jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_result jsonb;
  v_inserted bigint;
  v_version bigint;
BEGIN
  v_result := tt_append(p_tenant, p_stream, p_entity_type, p_requests);
  v_version := (v_result->>'version')::bigint;
  SELECT coalesce(sum((r->>'toVersion')::bigint - (r->>'fromVersion')::bigint + 1), 0) INTO v_inserted
    FROM jsonb_array_elements(v_result->'results') r WHERE r->>'status' = '201';
  IF v_inserted > 0 THEN
    INSERT INTO outbox (tenant_id, stream_id, from_version, to_version)
    VALUES (p_tenant, p_stream, v_version - v_inserted + 1, v_version);
  END IF;
  RETURN v_result || jsonb_build_object('rendered',
    (SELECT coalesce(jsonb_agg(tt_render(e) ORDER BY e.version), '[]'::jsonb) FROM events e
      WHERE e.tenant_id = p_tenant AND e.stream_id = p_stream AND e.version > v_version - v_inserted));
END;
$$;
--> statement-breakpoint
INSERT INTO projections (name) VALUES ('status'), ('timeline'), ('manifest'), ('metrics') ON CONFLICT DO NOTHING;
