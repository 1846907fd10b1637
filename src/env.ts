import type { Principal } from './http/auth';
import type { TraceContext } from './ops/trace';

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    principal: Principal;
    /** the token's expiry, epoch seconds */
    tokenExp: number;
    /** W3C trace context of this request (src/http/observe.ts) */
    trace: TraceContext;
    /** the problem code answered, if any (for metrics) */
    problemCode: string;
    /** a batch append's status per item (for metrics) */
    itemStatuses: number[];
  };
};
