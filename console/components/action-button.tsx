import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useSay } from './notice';

/**
 * A row's action button that runs one request (pause, approve, retry…): busy while it runs, the
 * API's message beside it when it fails, and what it did said in the page's live region when
 * `run` answers a sentence ("Paused Acme Plumbing").
 *
 * With `confirm` (money actions: approve a return, retry a refund) it first asks, once, in place
 * of the button: the question takes the focus before it is painted (a key pressed as it shows is
 * not lost), Tab reaches Confirm and Cancel, Escape cancels and gives the focus back to the button.
 * The focus lands on the question, not on Confirm, so an Enter pressed twice on the button does
 * not spend money.
 */
export function ActionButton(props: {
  label: string;
  ariaLabel?: string;
  /** Runs the action; a string it answers is said in the live region. */
  run: () => Promise<string | void>;
  confirm?: { question: string; yes: string };
  /** `primary` for the row's main action; outlined otherwise. */
  primary?: boolean;
  testId?: string;
}) {
  const [step, setStep] = useState<'idle' | 'asking' | 'busy'>('idle');
  const [error, setError] = useState<string>();
  const say = useSay();
  const question = useRef<HTMLDivElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  const id = useRef(`confirm-${Math.random().toString(36).slice(2, 9)}`).current;

  useLayoutEffect(() => {
    if (step === 'asking') question.current?.focus();
    else if (step === 'idle' && wasAsking.current) opener.current?.focus();
    wasAsking.current = step === 'asking';
  }, [step]);
  useEffect(() => {
    if (step !== 'asking') return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setStep('idle');
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [step]);

  const go = async () => {
    wasAsking.current = false;
    setStep('busy');
    setError(undefined);
    try {
      const said = await props.run();
      if (said) say(said);
    } catch (e) {
      setError((e as Error).message);
      // Back on the button, beside its error (the question, or the busy button, held the focus).
      wasAsking.current = true;
    } finally {
      setStep('idle');
    }
  };

  if (step === 'asking' && props.confirm)
    return (
      <div
        class="confirm-once"
        role="group"
        aria-labelledby={`${id}-q`}
        tabIndex={-1}
        ref={question}
        data-testid="confirm"
      >
        <p id={`${id}-q`}>{props.confirm.question}</p>
        <div class="actions">
          <button type="button" class="small" onClick={() => void go()}>
            {props.confirm.yes}
          </button>
          <button type="button" class="small secondary outline" onClick={() => setStep('idle')}>
            Cancel
          </button>
        </div>
      </div>
    );
  return (
    <>
      <button
        type="button"
        class={props.primary ? 'small' : 'secondary outline small'}
        aria-busy={step === 'busy'}
        disabled={step === 'busy'}
        aria-label={props.ariaLabel}
        ref={opener}
        data-testid={props.testId}
        onClick={() => (props.confirm ? setStep('asking') : void go())}
      >
        {props.label}
      </button>
      {error && (
        <small class="error" role="alert">
          {' '}
          {error}
        </small>
      )}
    </>
  );
}
