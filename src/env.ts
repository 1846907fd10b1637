import type { Principal } from './http/auth';

export type AppEnv = {
  Bindings: Env;
  Variables: { requestId: string; principal: Principal; /** the token's expiry, epoch seconds */ tokenExp: number };
};
