// The read models, by name.
import { manifestProjection } from './manifest/project';
import { metricsProjection } from './metrics/project';
import { statusProjection } from './status/project';
import { timelineProjection } from './timeline/project';
import type { Projection, ProjectionName } from './types';

export const PROJECTIONS: Record<ProjectionName, Projection> = {
  status: statusProjection,
  timeline: timelineProjection,
  manifest: manifestProjection,
  metrics: metricsProjection,
};

export const PROJECTION_NAMES = Object.keys(PROJECTIONS) as ProjectionName[];

/** Every physical table of a read model (its own and the applied-version table). */
export const tablesOf = (p: { name: string; tables: string[] }) => [...p.tables, `rm_${p.name}_applied`];
