// What every entity's decide/evolve share.

/** An event as the domain sees it: the latest schema version of its type. */
export type Fact<T extends string = string, D = Record<string, unknown>> = { type: T; data: D };

/** What a command is decided with: time and place come in, nothing is read from the clock. */
export type CommandContext = { at: string; actor: string; location: string | null; entityId: string };

export type Rejection = { ok: false; code: string; message: string };
export type Decision<F extends Fact = Fact> = { ok: true; events: F[] } | Rejection;

export const accept = <F extends Fact>(...events: F[]): Decision<F> => ({ ok: true, events });
export const reject = (code: string, message: string): Rejection => ({ ok: false, code, message });

export function assertNever(x: never): never {
  throw new Error(`unhandled case ${JSON.stringify(x)}`);
}
