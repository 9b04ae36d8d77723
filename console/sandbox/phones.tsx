import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { Failed, Loading } from '../components/bits';
import { ScrollRegion } from '../components/data-table';
import { useTitle } from '../components/layout';
import { dateTime, phone as phoneText } from '../format';

type Message = { direction: 'in' | 'out'; text: string; at: string };
type Phone = { providerId: string; name: string; phone: string; messages: Message[] };

/** Polls GET /sandbox/phones every 1.5 s while the page is open. */
function usePhones() {
  const [phones, setPhones] = useState<Phone[]>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const load = () =>
      api<{ phones: Phone[] }>('/sandbox/phones').then(
        (r) => live && (setPhones(r.phones), setError(undefined)),
        (e: Error) => live && setError(e.message),
      );
    void load();
    const timer = setInterval(() => void load(), 1500);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [tick]);
  return { phones, error, refresh: () => setTick((t) => t + 1) };
}

/** A URL in an SMS (the pay link, the portal's sign-in link), without a sentence's closing punctuation. */
const URL_IN_TEXT = /https?:\/\/[^\s]*[^\s.,;:!?)"'’]/g;

/** An SMS's text with each link in it made clickable, as a phone's messages app shows it. */
function Linked(props: { text: string }) {
  const parts: Array<string | { url: string }> = [];
  let last = 0;
  for (const m of props.text.matchAll(URL_IN_TEXT)) {
    parts.push(props.text.slice(last, m.index), { url: m[0] });
    last = m.index + m[0].length;
  }
  parts.push(props.text.slice(last));
  return (
    <>
      {parts.map((p, i) =>
        typeof p === 'string' ? (
          p
        ) : (
          <a key={i} href={p.url} target="_blank" rel="noreferrer">
            {p.url}
          </a>
        ),
      )}
    </>
  );
}

/** One provider's thread, like a phone's messages app, with a reply box. */
function Thread(props: { phone: Phone; onSent: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const box = useRef<HTMLDivElement>(null);
  // Whether its reader is at the newest message: then a new one scrolls into view, as on a phone.
  // A reader scrolled up stays where they are; and only this thread's box scrolls, never the
  // page (scrollIntoView would scroll the window too: the page opened at its bottom, and jumped
  // whenever any thread got a message).
  const atEnd = useRef(true);
  // When its reader last wheeled, touched, pressed a key in or grabbed the box: a scroll soon
  // after is theirs. Any other (a resize clamping the box, a full-page screenshot) is the
  // layout's, and does not make the thread stop following.
  const readerAt = useRef(0);
  const count = props.phone.messages.length;
  // Kept at the newest while its reader is there, whatever changes the box's content or size
  // (a new message, a line that wraps once the window narrows): observed, not tied to a render.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const follow = () => {
      if (atEnd.current) el.scrollTop = el.scrollHeight;
    };
    follow();
    const mutations = new MutationObserver(follow);
    mutations.observe(el, { childList: true, subtree: true, characterData: true });
    const resizes = new ResizeObserver(follow);
    resizes.observe(el);
    const reader = () => (readerAt.current = Date.now());
    const inputs = ['wheel', 'touchstart', 'touchmove', 'keydown', 'pointerdown'] as const;
    for (const type of inputs) el.addEventListener(type, reader, { passive: true });
    return () => {
      mutations.disconnect();
      resizes.disconnect();
      for (const type of inputs) el.removeEventListener(type, reader);
    };
  }, []);
  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const fromEnd = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (Date.now() - readerAt.current < 1_000) atEnd.current = fromEnd < 8;
    else if (atEnd.current && fromEnd >= 8) el.scrollTop = el.scrollHeight;
  };
  const send = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('/sandbox/phones/reply', { method: 'POST', body: { phone: props.phone.phone, text } });
      setText('');
      props.onSent();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <article class="phone" data-testid={`phone-${props.phone.phone.replace(/\D/g, '')}`}>
      <header>
        <strong>{props.phone.name}</strong> <small>{phoneText(props.phone.phone)}</small>
      </header>
      <ScrollRegion class="thread" label={`Messages of ${props.phone.name}`} boxRef={box} onScroll={onScroll}>
        {props.phone.messages.map((m, i) => (
          <div key={`${m.at}-${i}`} class={`bubble ${m.direction}`} data-testid={`bubble-${m.direction}`}>
            <p class="bubble-text">
              <Linked text={m.text} />
            </p>
            <time dateTime={m.at}>{dateTime(m.at)}</time>
          </div>
        ))}
        {count === 0 && <p class="empty">No messages yet.</p>}
      </ScrollRegion>
      <form class="reply" onSubmit={(e) => void send(e)}>
        <input
          name="text"
          aria-label={`Reply as ${props.phone.name}`}
          placeholder="Reply, e.g. YES 4821"
          required
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit">Send</button>
      </form>
      {error && <small class="error">{error}</small>}
    </article>
  );
}

export function Phones() {
  useTitle('Phones');
  const { phones, error, refresh } = usePhones();
  return (
    <>
      <h1>Phones</h1>
      <p>
        Every provider's SMS, as their phone shows them. Replies go to the API as TextMagic would post them.
      </p>
      {error && <Failed error={error} />}
      {!phones && !error && <Loading what="phones" />}
      {phones?.length === 0 && <p>No providers yet: add the demo providers on the Providers page.</p>}
      <div class="phones">
        {phones?.map((p) => (
          <Thread key={p.providerId} phone={p} onSent={refresh} />
        ))}
      </div>
    </>
  );
}
