import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, ApiError } from '../api';
import { ClientDetails, Failed, Loading } from '../components/bits';
import { money, timeLeft } from '../format';
import type { Bought, BuyAnswer, Leads, OpenOffer } from '../types';
import { useApi, useTitle } from '../use-api';

/** How often, and how long, a charge of the saved card is watched for its outcome. */
const POLL_MS = 1500;
const POLL_FOR_MS = 90_000;

type Step =
  | { at: 'idle' }
  | { at: 'confirm' }
  | { at: 'busy' }
  | { at: 'charging' }
  | { at: 'paying' }
  | { at: 'bought'; bought: Bought }
  | { at: 'failed'; error: string };

const question = (o: OpenOffer) =>
  `Buy lead ${o.code} for ${money(o.priceCents, o.currency)}` +
  (o.payWith === 'saved_card' ? ' with your saved card?' : '? You will pay on the next page.');

/**
 * One open lead and its Buy: asked once, then what happened. A charge of the saved card is
 * watched (GET /portal/api/leads) until the lead is theirs, then its details show here; a pay
 * link is opened (Stripe Checkout); a refusal is said in the words of the SMS.
 */
function Offer(props: { offer: OpenOffer }) {
  const o = props.offer;
  const [step, setStep] = useState<Step>(o.charging ? { at: 'charging' } : { at: 'idle' });
  const yes = useRef<HTMLButtonElement>(null);
  // Before the question is painted, so that an Enter pressed as soon as it shows answers it.
  useLayoutEffect(() => {
    if (step.at === 'confirm') yes.current?.focus();
  }, [step.at]);

  // While charging: the leads again until this one is bought, or no longer being charged.
  useEffect(() => {
    if (step.at !== 'charging') return;
    let live = true;
    const until = Date.now() + POLL_FOR_MS;
    const poll = async () => {
      const leads = await api<Leads>('/leads').catch(() => undefined);
      if (!live) return;
      const bought = leads?.bought.find((b) => b.offerId === o.offerId);
      const still = leads?.open.find((x) => x.offerId === o.offerId);
      if (bought) return setStep({ at: 'bought', bought });
      if (leads && !still?.charging) {
        return setStep({
          at: 'failed',
          error: still
            ? 'Your saved card did not go through. Buy again to pay on the next page.'
            : 'This lead is no longer available.',
        });
      }
      if (Date.now() > until) {
        return setStep({ at: 'failed', error: 'Still charging: we will text you the details once paid.' });
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    let timer = setTimeout(() => void poll(), POLL_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [step.at, o.offerId]);

  const buy = async () => {
    setStep({ at: 'busy' });
    try {
      const answer = await api<BuyAnswer>(`/offers/${o.offerId}/buy`, { method: 'POST' });
      if ('payUrl' in answer) {
        setStep({ at: 'paying' });
        location.assign(answer.payUrl);
      } else if (answer.status === 'charging') {
        setStep({ at: 'charging' });
      } else {
        // Read here, not by reloading the list: this lead leaves the open ones, and its details show here.
        const leads = await api<Leads>('/leads');
        const bought = leads?.bought.find((b) => b.offerId === o.offerId);
        setStep(bought ? { at: 'bought', bought } : { at: 'failed', error: 'You bought this lead already.' });
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      setStep({ at: 'failed', error: (e as Error).message });
    }
  };

  return (
    <article class="offer" data-testid={`offer-${o.code}`}>
      <header>
        <strong>Lead {o.code}</strong> · {o.categoryName ?? o.category} · {o.zipCode}
        {o.city ? ` ${o.city}` : ''}
      </header>
      {o.description && <p class="description">{o.description}</p>}
      {o.budget && <p>Budget: {o.budget}</p>}
      <p class="price">
        <strong>{money(o.priceCents, o.currency)}</strong> · <span>closes {timeLeft(o.expiresAt)}</span>
      </p>
      {(step.at === 'idle' || step.at === 'failed') && (
        <>
          {step.at === 'failed' && <Failed error={step.error} />}
          <button type="button" aria-label={`Buy lead ${o.code}`} onClick={() => setStep({ at: 'confirm' })}>
            Buy
          </button>
        </>
      )}
      {(step.at === 'confirm' || step.at === 'busy') && (
        <div class="confirm" role="group" aria-label={`Confirm buying lead ${o.code}`}>
          <p>{question(o)}</p>
          <div class="actions">
            <button
              type="button"
              ref={yes}
              aria-busy={step.at === 'busy'}
              disabled={step.at === 'busy'}
              onClick={() => void buy()}
            >
              Yes, buy
            </button>
            <button
              type="button"
              class="secondary outline"
              disabled={step.at === 'busy'}
              onClick={() => setStep({ at: 'idle' })}
            >
              Cancel
            </button>
          </div>
        </div>
      )}
      {step.at === 'charging' && (
        <p aria-busy="true" role="status">
          Charging your saved card…
        </p>
      )}
      {step.at === 'paying' && (
        <p aria-busy="true" role="status">
          Opening the payment page…
        </p>
      )}
      {step.at === 'bought' && (
        <div role="status">
          <p>
            <strong>Bought.</strong> The client's details (also sent by text):
          </p>
          {step.bought.client ? <ClientDetails client={step.bought.client} /> : <p>No details.</p>}
          <Link href="/bought">All your bought leads</Link>
        </div>
      )}
    </article>
  );
}

/** Leads: the open offers, newest first, each with its price, when it closes, and Buy. */
export function LeadsPage() {
  useTitle('Open leads');
  const { data, error } = useApi<Leads>('/leads');
  return (
    <>
      <h1>Open leads</h1>
      {error && <Failed error={error} />}
      {!data && !error && <Loading what="your leads" />}
      {data?.open.length === 0 && (
        <p>
          No open leads right now: we text you each new one. <Link href="/bought">Your bought leads</Link>
        </p>
      )}
      {data?.open.map((o) => (
        <Offer key={o.offerId} offer={o} />
      ))}
    </>
  );
}
