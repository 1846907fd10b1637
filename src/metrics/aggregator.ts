import { DurableObject } from 'cloudflare:workers';

/** One per deployment: every isolate flushes its counters here; /metrics reads the sum. */
export class MetricsAggregator extends DurableObject<Env> {}
