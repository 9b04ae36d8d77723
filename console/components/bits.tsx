import type { ComponentChildren } from 'preact';

/**
 * A table that scrolls sideways inside its box on a narrow screen, never the page. The box takes
 * the focus (a named region), so a keyboard scrolls it with the arrow keys (WCAG 2.1.1; axe-core's
 * scrollable-region-focusable).
 */
export function TableScroll(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" role="region" aria-label={props.label} tabIndex={0}>
      {props.children}
    </div>
  );
}

export function Status(props: { value: string; testId?: string }) {
  return (
    <span class={`status status-${props.value.replace(/[^a-z_-]/gi, '')}`} data-testid={props.testId}>
      {props.value}
    </span>
  );
}

export function Loading(props: { what?: string }) {
  return <p aria-busy="true">Loading{props.what ? ` ${props.what}` : ''}…</p>;
}

export function Failed(props: { error: string }) {
  return (
    <p class="error" role="alert">
      {props.error}
    </p>
  );
}

/** A form's last row: its error (said at once to a screen reader), submit, and Cancel when editing in place. */
export function FormActions(props: { error?: string; busy: boolean; submit: string; onCancel?: () => void }) {
  return (
    <>
      {props.error && <Failed error={props.error} />}
      <div class="actions">
        <button type="submit" aria-busy={props.busy} disabled={props.busy}>
          {props.submit}
        </button>
        {props.onCancel && (
          <button type="button" class="secondary outline" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </>
  );
}
