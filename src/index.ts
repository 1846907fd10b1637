import { app } from './app';
import { projector, queue } from './projections/consumer';

export { DbPool } from './db/pool';
export { MetricsAggregator } from './metrics/aggregator';
export { Projector } from './projections/projector';
export { StreamObject } from './streams/streamObject';
export { SubscriptionHub } from './subscriptions/hub';

export default {
  fetch: app.fetch,
  queue,
  // the cron trigger keeps the projector's outbox sweep armed (it re-arms itself after that)
  scheduled: async (_controller, env) => {
    await projector(env).ensureSweeping();
  },
} satisfies ExportedHandler<Env>;
