/** The Audit page names every action of the route table in words (console/audit-actions.ts). */
import { describe, expect, it } from 'vitest';
import { actionLabel, AUDIT_ACTIONS } from '../../console/audit-actions';
import { ROUTES, type RouteSpec } from '../../lib/http/routes';

const routes: readonly RouteSpec[] = ROUTES;

describe('audit action labels', () => {
  it('every audited route has its label, and no label is left over', () => {
    const actions = routes.flatMap((r) => (r.audit ? [r.audit] : []));
    expect(Object.keys(AUDIT_ACTIONS).sort()).toEqual([...actions].sort());
  });

  it('an action the console does not know yet still reads as words', () => {
    expect(actionLabel('return.approve')).toBe('Return approved (refund)');
    expect(actionLabel('operator_token.revoke')).toBe('Operator token: revoke');
  });
});
