import { app } from './app';
import { projector, queue } from './projections/consumer';
import { runRetention } from './retention/job';
import { errorText, log } from './ops/log';

export { DbPool } from './db/pool';
export { MetricsAggregator } from './metrics/aggregator';
export { Projector } from './projections/projector';
export { StreamObject } from './streams/streamObject';
export { SubscriptionHub } from './subscriptions/hub';

export default {
  fetch: app.fetch,
  queue,
  // the cron trigger (every minute) keeps the projector's outbox sweep armed (it re-arms itself
  // after that) and runs retention (src/retention/job.ts), dropping stale snapshots once an hour
  scheduled: async (controller, env) => {
    await Promise.all([
      projector(env).ensureSweeping(),
      runRetention(env, { snapshots: new Date(controller.scheduledTime).getUTCMinutes() === 0 }).catch((e: unknown) => {
        log(env, 'error', 'retention: run failed; the next minute tries again', { error: errorText(e) });
      }),
    ]);
  },
} satisfies ExportedHandler<Env>;
