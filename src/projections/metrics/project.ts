// The metrics read model: samples keyed by (stream, version, metric), so a repeated event adds nothing.
import type { Projection } from '../types';
import { measure, type MetricsState } from './samples';

export const metricsProjection: Projection = {
  name: 'metrics',
  tables: ['rm_metric_samples'],
  async apply(db, t, batch) {
    const rows: Record<string, unknown>[] = [];
    for (const b of batch) {
      let state = b.state as MetricsState | null;
      for (const e of b.events) {
        const m = measure(state, e);
        state = m.state;
        for (const s of m.samples) rows.push({ tenant_id: e.tenantId, stream_id: e.streamId, version: e.version, ...s });
      }
      b.state = state;
    }
    if (!rows.length) return;
    await db.query(
      `insert into ${t('rm_metric_samples')} (tenant_id, stream_id, version, metric, airport, carriers, at, value)
       select tenant_id, stream_id, version, metric, airport, array(select jsonb_array_elements_text(carriers)), at, value
         from jsonb_to_recordset($1::jsonb) as x(tenant_id text, stream_id text, version bigint, metric text, airport text, carriers jsonb, at timestamptz, value float8)
       on conflict do nothing`,
      [JSON.stringify(rows)],
    );
  },
};
