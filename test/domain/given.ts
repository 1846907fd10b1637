// given events → when command → then events or the named rule.
import { expect } from 'vitest';
import type { CommandContext } from '../../src/domain/decision';
import { MODELS, type DomainEvent } from '../../src/domain/entities';
import type { EntityType } from '../../src/domain/identifiers';

export const AT = '2026-11-22T10:00:00.000Z';

export function given(entityType: EntityType, events: DomainEvent[], entityId = 'X') {
  const model = MODELS[entityType];
  const state = events.reduce((s, e) => model.evolve(s, e), model.initial());
  const when = (type: string, data: Record<string, unknown>, ctx: Partial<CommandContext> = {}) =>
    model.decide({ type, data }, state, { at: AT, actor: 'agent-1', location: null, entityId, ...ctx });
  return {
    state,
    when,
    thenEvents(type: string, data: Record<string, unknown>, ctx?: Partial<CommandContext>) {
      const d = when(type, data, ctx);
      expect(d, JSON.stringify(d)).toMatchObject({ ok: true });
      return d.ok ? d.events : [];
    },
    thenRejects(rule: string, type: string, data: Record<string, unknown>, ctx?: Partial<CommandContext>) {
      const d = when(type, data, ctx);
      expect(d).toMatchObject({ ok: false, code: rule });
    },
  };
}
