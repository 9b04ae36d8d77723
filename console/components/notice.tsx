import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

/** Says what an action did ("Refunded $15.00 to Acme Plumbing"), in the page's live region. */
export type Say = (text: string) => void;

const SayContext = createContext<Say>(() => undefined);

/** The `say` of the page's live region (components/layout.tsx holds it). */
export const useSay = (): Say => useContext(SayContext);

/**
 * The page's live region (`role="status"`, there before anything is said so that a screen reader
 * hears what is put in it) and the `say` its children use. What is said takes the focus: the row
 * an action acted on often goes with it (an approved return leaves the open queue), and the focus
 * must not fall back to the page's top. Cleared when `page` changes.
 */
export function NoticeRegion(props: { page: string; children: ComponentChildren }) {
  const [said, setSaid] = useState<{ text: string; n: number }>();
  const region = useRef<HTMLParagraphElement>(null);
  const say = useCallback<Say>((text) => setSaid((s) => ({ text, n: (s?.n ?? 0) + 1 })), []);
  useEffect(() => setSaid(undefined), [props.page]);
  useLayoutEffect(() => {
    if (said) region.current?.focus();
  }, [said]);
  return (
    <SayContext.Provider value={say}>
      <p
        role="status"
        class={said ? 'notice' : 'notice empty'}
        tabIndex={-1}
        ref={region}
        data-testid="notice"
      >
        {said?.text}
      </p>
      {props.children}
    </SayContext.Provider>
  );
}
