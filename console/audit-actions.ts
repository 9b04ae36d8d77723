/**
 * How the Audit page names each action of the audit trail (lib/http/routes.ts `audit`): every
 * action in the route table has its label here (tests/unit/audit-actions.test.ts).
 */
export const AUDIT_ACTIONS: Readonly<Record<string, string>> = {
  'category.create': 'Category added',
  'category.update': 'Category changed',
  'provider.create': 'Provider added',
  'provider.update': 'Provider changed',
  'sms.retry': 'Failed SMS sent again',
  'return.open': 'Return opened',
  'return.approve': 'Return approved (refund)',
  'return.decline': 'Return declined',
  'client.erase': 'Client data erased',
  'intake_source.set': 'Form tool mapping set',
  'lead.close': 'Lead closed',
  'lead.offer': 'Lead offered to a provider',
  'operator.invite': 'Operator invited',
  'operator.update': 'Operator changed (role or access)',
  'operator.reinvite': 'New invite link',
  'operator.sign_out': 'Operator signed out everywhere',
  'team.update': 'Team setting changed',
};

/** The label of `action`; one the console does not know yet reads `Object: verb`. */
export function actionLabel(action: string): string {
  const known = AUDIT_ACTIONS[action];
  if (known) return known;
  const [object = action, verb = ''] = action.replace(/_/g, ' ').split('.');
  return `${object.charAt(0).toUpperCase()}${object.slice(1)}: ${verb}`;
}

/** What became of the request (`outcome`). */
export const OUTCOME_LABELS: Readonly<Record<string, string>> = {
  done: 'Done',
  unchanged: 'Nothing to change',
  pending: 'Did not finish: may have taken effect',
};
