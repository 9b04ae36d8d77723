import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { ActionButton } from '../components/action-button';
import { Failed, FormActions, Loading, TableScroll } from '../components/bits';
import { dateTime } from '../format';
import { useSession } from '../session';
import { useTitle } from '../components/layout';
import type { Invited, Operator, TeamSettings } from '../types';
import { useApi } from '../use-api';

type Role = Operator['role'];
const ROLES: Array<{ value: Role; label: string }> = [
  { value: 'owner', label: 'Owner' },
  { value: 'staff', label: 'Staff' },
  { value: 'viewer', label: 'Viewer' },
];
const STATUS: Record<Operator['status'], string> = {
  invited: 'Invited (no password yet)',
  active: 'Active',
  deactivated: 'Deactivated',
};

const message = (e: unknown) =>
  e instanceof ApiError ? e.message : 'The console could not reach the server';

/** An invite link to pass on: shown once, with a Copy button (no e-mail is sent). */
function InviteLink(props: { who: string; invite: { inviteUrl: string; inviteExpiresAt: string } }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(props.invite.inviteUrl).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <article data-testid="invite-link">
      <p>
        Invite link for <strong>{props.who}</strong>, good once until {dateTime(props.invite.inviteExpiresAt)}
        . No e-mail is sent: pass it on yourself (a private message), and only to them.
      </p>
      <div role="group">
        <input
          readOnly
          aria-label={`Invite link for ${props.who}`}
          value={props.invite.inviteUrl}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </article>
  );
}

function InviteForm(props: { onInvited: (who: string, invite: Invited) => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('staff');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const invited = await api<Invited>('/operators', { method: 'POST', body: { email, name, role } });
      props.onInvited(name, invited);
      setEmail('');
      setName('');
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} data-testid="invite-form">
      <div class="grid">
        <label>
          Name
          <input
            name="name"
            required
            maxLength={200}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label>
          E-mail
          <input
            type="email"
            name="email"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <label>
          Role
          <select name="role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <FormActions error={error} busy={busy} submit="Invite" />
    </form>
  );
}

/** Deactivate asks once before it signs them out; reactivate does not. */
function ActiveToggle(props: { op: Operator; onDone: (said: string) => void; onError: (e: string) => void }) {
  const { op } = props;
  const [asking, setAsking] = useState(false);
  const set = async (active: boolean) => {
    try {
      await api<Operator>(`/operators/${op.id}`, { method: 'PATCH', body: { active } });
      props.onDone(
        active ? `${op.name} is active again.` : `${op.name} is deactivated and signed out everywhere.`,
      );
    } catch (e) {
      props.onError(message(e));
    } finally {
      setAsking(false);
    }
  };
  if (!op.active)
    return <ActionButton label="Reactivate" ariaLabel={`Reactivate ${op.name}`} run={() => set(true)} />;
  if (!asking) {
    return (
      <button
        type="button"
        class="secondary outline small"
        aria-label={`Deactivate ${op.name}`}
        onClick={() => setAsking(true)}
      >
        Deactivate
      </button>
    );
  }
  return (
    <span role="group" aria-label={`Deactivate ${op.name}?`}>
      <small>Deactivate {op.name}? They are signed out at once. </small>
      <ActionButton label="Yes, deactivate" run={() => set(false)} />{' '}
      <button type="button" class="secondary outline small" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

function MoneySetting() {
  const { data, error, reload } = useApi<TeamSettings>('/team/settings');
  const [said, setSaid] = useState<string>();
  const [failed, setFailed] = useState<string>();
  if (error) return <Failed error={error} />;
  if (!data) return <Loading what="the team's setting" />;
  const change = async (on: boolean) => {
    setSaid(undefined);
    setFailed(undefined);
    try {
      await api<TeamSettings>('/team/settings', { method: 'PATCH', body: { staffMoneyActions: on } });
      setSaid(
        on
          ? 'Saved: staff can approve returns and erase clients.'
          : 'Saved: only owners can approve returns and erase clients now.',
      );
      reload();
    } catch (e) {
      setFailed(message(e));
    }
  };
  return (
    <section>
      <h2>Money actions</h2>
      <label>
        <input
          type="checkbox"
          role="switch"
          name="staffMoneyActions"
          checked={data.staffMoneyActions}
          onChange={(e) => void change(e.currentTarget.checked)}
        />
        Staff may approve returns (refunds) and erase clients
      </label>
      <p role="status" data-testid="money-status">
        {said}
      </p>
      {failed && <Failed error={failed} />}
    </section>
  );
}

/** Owners: the team, invites, roles, deactivation, sessions, and the money setting. */
export function Operators() {
  useTitle('Operators');
  const session = useSession();
  const { data, error, reload } = useApi<{ operators: Operator[] }>(
    session?.role === 'owner' ? '/operators' : null,
  );
  const [invite, setInvite] = useState<{ who: string; invite: Invited }>();
  const [said, setSaid] = useState<string>();
  const [failed, setFailed] = useState<string>();
  if (session?.role !== 'owner') {
    return (
      <>
        <h1>Operators</h1>
        <p>Only owners manage the team. Ask an owner to change your role.</p>
      </>
    );
  }
  const done = (text: string) => {
    setFailed(undefined);
    setSaid(text);
    reload();
  };
  const fail = (text: string) => {
    setSaid(undefined);
    setFailed(text);
  };
  const changeRole = async (op: Operator, role: Role) => {
    try {
      await api<Operator>(`/operators/${op.id}`, { method: 'PATCH', body: { role } });
      done(`${op.name} is now ${role}.`);
    } catch (e) {
      fail(message(e));
      reload();
    }
  };
  return (
    <>
      <h1>Operators</h1>
      <p>
        Owners manage the team and the settings; staff work on leads, providers, returns and SMS; viewers only
        look.
      </p>
      <details open={data?.operators.length === 0}>
        <summary role="button" class="outline">
          Invite an operator
        </summary>
        <InviteForm
          onInvited={(who, i) => {
            setInvite({ who, invite: i });
            reload();
          }}
        />
      </details>
      {invite && <InviteLink who={invite.who} invite={invite.invite} />}
      <p role="status" data-testid="operators-status">
        {said}
      </p>
      {failed && <Failed error={failed} />}
      {error && <Failed error={error} />}
      {!data && !error && <Loading what="operators" />}
      {data && (
        <TableScroll label="Operators">
          <table class="striped" data-testid="operators-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th>Status</th>
                <th>Last sign-in</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.operators.map((op) => (
                <tr key={op.id} data-testid={`operator-${op.email}`}>
                  <td>
                    {op.name}
                    <br />
                    <small>{op.email}</small>
                  </td>
                  <td>
                    <select
                      aria-label={`Role of ${op.name}`}
                      value={op.role}
                      onChange={(e) => void changeRole(op, e.currentTarget.value as Role)}
                    >
                      {ROLES.map((r) => (
                        <option key={r.value} value={r.value}>
                          {r.label}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {STATUS[op.status]}
                    {op.totp && (
                      <>
                        <br />
                        <small>Second factor on</small>
                      </>
                    )}
                  </td>
                  <td>{op.lastSignInAt ? dateTime(op.lastSignInAt) : 'never'}</td>
                  <td class="row-actions">
                    {op.status === 'invited' && (
                      <ActionButton
                        label="New link"
                        ariaLabel={`New link for ${op.name}`}
                        run={async () => {
                          const i = await api<Invited>(`/operators/${op.id}/invite`, { method: 'POST' });
                          setInvite({ who: op.name, invite: { ...i, id: op.id } });
                        }}
                      />
                    )}{' '}
                    {op.status === 'active' && (
                      <ActionButton
                        label="Sign out everywhere"
                        ariaLabel={`Sign out everywhere: ${op.name}`}
                        run={async () => {
                          const r = await api<{ endedSessions: number }>(`/operators/${op.id}/sign-out`, {
                            method: 'POST',
                          });
                          done(
                            `${op.name} is signed out (${r.endedSessions} session${r.endedSessions === 1 ? '' : 's'} ended).`,
                          );
                        }}
                      />
                    )}{' '}
                    <ActiveToggle op={op} onDone={done} onError={fail} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <MoneySetting />
    </>
  );
}
