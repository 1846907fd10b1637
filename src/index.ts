import { app } from './app';

export { StreamObject } from './streams/streamObject';

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
