// zValidator with our hook: a failed schema is a 400 problem listing every failing field.
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { ApiError, clip } from './problem';

export type FieldError = { path: string; message: string };

export function fieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldError[] {
  // messages may quote the input: a short prefix of it at most
  return issues.map((i) => ({ path: clip(i.path.map(String).join('.') || '(root)', 120), message: clip(i.message, 200) }));
}

export function validationError(what: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]) {
  const errors = fieldErrors(issues);
  return new ApiError(400, 'validation_failed', `invalid ${what}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors });
}

export const validate = <Target extends keyof ValidationTargets, T extends ZodType>(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) throw validationError(target, result.error.issues);
  });
