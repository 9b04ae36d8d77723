import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, BASE } from '../api';
import { Failed, Loading } from '../components/bits';
import { minorDigits } from '../../lib/sms/format-price';
import { money } from '../format';
import type { Account, AccountPatch, Language } from '../types';
import { useApi, useTitle } from '../use-api';

/** The languages of the registry (lib/sms/languages/), by their own names: a new one fails tsc here. */
const LANGUAGES: Record<Language, string> = { en: 'English', es: 'Español' };

/**
 * `08:00-21:00` as its two times. A time input holds no `24:00`: the day's end shows as `00:00`,
 * which the server reads as the same midnight (lib/config.ts parseTeaserHours).
 */
const hoursOf = (h: string) => h.split('-').map((t) => (t === '24:00' ? '00:00' : t)) as [string, string];

/** Money in the currency's main unit, as the form takes it (`137` for $137.00). */
const units = (m: { cents: number; currency: string }) => m.cents / 10 ** minorDigits(m.currency);

/** Asked once in place (no dialog), the yes button focused so Enter answers it. */
function Confirm(props: {
  question: string;
  yes: string;
  busy: boolean;
  onYes: () => void;
  onNo: () => void;
}) {
  const yes = useRef<HTMLButtonElement>(null);
  // Before paint: an Enter pressed as soon as the question shows answers it (the Remove or Stop
  // button that opened it is gone by then).
  useLayoutEffect(() => yes.current?.focus(), []);
  return (
    <div class="confirm" role="group" aria-label={props.question}>
      <p>{props.question}</p>
      <div class="actions">
        <button type="button" ref={yes} aria-busy={props.busy} disabled={props.busy} onClick={props.onYes}>
          {props.yes}
        </button>
        <button type="button" class="secondary outline" disabled={props.busy} onClick={props.onNo}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** The form's fields as text, from the Settings the API answered. */
function fieldsOf(a: Account) {
  const [from, to] = hoursOf(a.teaserHours ?? a.defaults.teaserHours);
  return {
    weeklySpendCap: a.weeklySpendCap ? String(units(a.weeklySpendCap)) : '',
    dailyLeadCap: a.dailyLeadCap === null ? '' : String(a.dailyLeadCap),
    from,
    to,
    timeZone: a.timeZone ?? '',
    language: a.language,
    autoPay: a.autoPay,
  };
}
type Fields = ReturnType<typeof fieldsOf>;

/** What changed, as PATCH /portal/api/account takes it (the weekly cap in dollars, empty: none). */
function patchOf(before: Fields, now: Fields): AccountPatch {
  const patch: AccountPatch = {};
  const number = (s: string) => (s.trim() === '' ? null : Number(s));
  if (now.weeklySpendCap !== before.weeklySpendCap) patch.weeklySpendCap = number(now.weeklySpendCap);
  if (now.dailyLeadCap !== before.dailyLeadCap) patch.dailyLeadCap = number(now.dailyLeadCap);
  if (now.from !== before.from || now.to !== before.to) patch.teaserHours = `${now.from}-${now.to}`;
  if (now.timeZone !== before.timeZone) patch.timeZone = now.timeZone || null;
  if (now.language !== before.language) patch.language = now.language;
  if (now.autoPay !== before.autoPay) patch.autoPay = now.autoPay;
  return patch;
}

function SettingsForm(props: { account: Account; onSaved: (a: Account) => void }) {
  const a = props.account;
  const [fields, setFields] = useState(() => fieldsOf(a));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const set = (k: keyof Fields) => (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    setFields({ ...fields, [k]: input.type === 'checkbox' ? input.checked : input.value });
    setSaved(false);
  };
  const zones = Intl.supportedValuesOf('timeZone');
  const submit = async (e: Event) => {
    e.preventDefault();
    const patch = patchOf(fieldsOf(a), fields);
    if (Object.keys(patch).length === 0) return setSaved(true);
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api<Account>('/account', { method: 'PATCH', body: patch });
      setFields(fieldsOf(answer));
      props.onSaved(answer);
      setSaved(true);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const maxCap = a.limits.weeklySpendCap;
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Your settings">
      <label>
        Weekly spend cap
        <input
          name="weeklySpendCap"
          type="number"
          inputMode="decimal"
          min={0}
          step={0.01}
          max={maxCap ? units(maxCap) : undefined}
          required={maxCap !== null}
          value={fields.weeklySpendCap}
          onInput={set('weeklySpendCap')}
          aria-describedby="cap-help"
        />
        <small id="cap-help">
          An amount such as 137
          {maxCap ? `, at most ${money(maxCap.cents, maxCap.currency)}` : '; empty: no cap'}. Leads past it
          are not sold to you that week.
        </small>
      </label>
      <label>
        Most leads a day
        <input
          name="dailyLeadCap"
          type="number"
          inputMode="numeric"
          min={0}
          step={1}
          max={a.limits.dailyLeadCap ?? undefined}
          required={a.limits.dailyLeadCap !== null}
          value={fields.dailyLeadCap}
          onInput={set('dailyLeadCap')}
        />
      </label>
      <fieldset>
        <legend>Texts about new leads, between</legend>
        <div class="hours">
          <label>
            From
            <input name="from" type="time" required value={fields.from} onInput={set('from')} />
          </label>
          <label>
            To
            <input name="to" type="time" required value={fields.to} onInput={set('to')} />
          </label>
        </div>
        {fields.from === '00:00' && fields.to === '00:00' && <small>Midnight to midnight: all day.</small>}
      </fieldset>
      <label>
        Time zone
        <select name="timeZone" value={fields.timeZone} onChange={set('timeZone')}>
          <option value="">Default ({a.defaults.timeZone})</option>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </label>
      <label>
        Language of your texts
        <select name="language" value={fields.language} onChange={set('language')}>
          {Object.entries(LANGUAGES).map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input
          name="autoPay"
          type="checkbox"
          role="switch"
          checked={fields.autoPay}
          onChange={set('autoPay')}
        />
        Pay with my saved card at once (YES or Buy)
      </label>
      {error && <Failed error={error} />}
      <div class="actions">
        <button type="submit" aria-busy={busy} disabled={busy}>
          Save
        </button>
        {saved && (
          <span role="status" data-testid="settings-saved">
            Saved.
          </span>
        )}
      </div>
    </form>
  );
}

/** The saved card: replaced on Stripe's page (Checkout in setup mode), or removed (asked once). */
function Card(props: { account: Account; reload: () => void }) {
  const [step, setStep] = useState<'idle' | 'confirm' | 'busy'>('idle');
  const [error, setError] = useState<string>();
  const back = new URLSearchParams(location.search).get('card');
  const saved = props.account.card.saved;
  const replace = async () => {
    setStep('busy');
    setError(undefined);
    try {
      location.assign((await api<{ url: string }>('/card', { method: 'POST' })).url);
    } catch (err) {
      setError((err as Error).message);
      setStep('idle');
    }
  };
  const remove = async () => {
    setStep('busy');
    setError(undefined);
    try {
      await api('/card/remove', { method: 'POST' });
      props.reload();
    } catch (err) {
      setError((err as Error).message);
    }
    setStep('idle');
  };
  return (
    <section aria-labelledby="card-heading">
      <h2 id="card-heading">Saved card</h2>
      {back === 'saved' && <p role="status">Stripe has your new card: it is the one charged from now on.</p>}
      {back === 'cancelled' && <p role="status">No new card was saved.</p>}
      <p data-testid="card-state">
        {saved ? 'A card is saved.' : 'No card saved: each lead is paid on Stripe’s page.'}
      </p>
      {error && <Failed error={error} />}
      {step === 'confirm' ? (
        <Confirm
          question="Remove your saved card? Each lead is then paid on Stripe’s page."
          yes="Yes, remove it"
          busy={false}
          onYes={() => void remove()}
          onNo={() => setStep('idle')}
        />
      ) : (
        <div class="actions">
          <button
            type="button"
            aria-busy={step === 'busy'}
            disabled={step === 'busy'}
            onClick={() => void replace()}
          >
            {saved ? 'Replace card' : 'Add a card'}
          </button>
          {saved && (
            <button
              type="button"
              class="secondary outline"
              disabled={step === 'busy'}
              onClick={() => setStep('confirm')}
            >
              Remove card
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/** STOP from the portal: no more texts, and signed out (asked once). */
function StopTexts() {
  const [step, setStep] = useState<'idle' | 'confirm' | 'busy'>('idle');
  const [error, setError] = useState<string>();
  const stop = async () => {
    setStep('busy');
    try {
      await api('/stop', { method: 'POST' });
      location.assign(`${BASE}/signed-out`);
    } catch (err) {
      setError((err as Error).message);
      setStep('idle');
    }
  };
  return (
    <section aria-labelledby="stop-heading">
      <h2 id="stop-heading">Stop all texts</h2>
      {error && <Failed error={error} />}
      {step === 'idle' ? (
        <button type="button" class="secondary" onClick={() => setStep('confirm')}>
          Stop all texts
        </button>
      ) : (
        <Confirm
          question="Stop all texts? You get no more leads, and this signs you out. Text START to come back."
          yes="Yes, stop all texts"
          busy={step === 'busy'}
          onYes={() => void stop()}
          onNo={() => setStep('idle')}
        />
      )}
    </section>
  );
}

/** Settings: caps, teaser hours, zone, language, auto-pay, the card, and STOP. */
export function SettingsPage() {
  useTitle('Settings');
  const { data, error, reload } = useApi<Account>('/account');
  const [account, setAccount] = useState<Account>();
  const shown = account ?? data;
  return (
    <>
      <h1>Settings</h1>
      {error && <Failed error={error} />}
      {!shown && !error && <Loading what="your settings" />}
      {shown && (
        <>
          <p>
            {shown.name} · {shown.phone}
            <br />
            <small>
              Your services ({shown.categories.join(', ')}) and areas ({shown.zipCodes.join(', ')}) are set by
              us: text us to change them.
            </small>
          </p>
          <SettingsForm account={shown} onSaved={setAccount} />
          <Card account={shown} reload={() => void reload().then((a) => a && setAccount(a))} />
          <StopTexts />
        </>
      )}
    </>
  );
}
