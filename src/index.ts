import { app } from './app';

export { DbPool } from './db/pool';
export { StreamObject } from './streams/streamObject';

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
