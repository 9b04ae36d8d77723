import type { ComponentChildren } from 'preact';
import { ScrollRegion } from './data-table';

/**
 * A table that scrolls sideways inside its box on a narrow screen, never the page; while it
 * overflows, the box is a named region that takes the focus (data-table.tsx's ScrollRegion).
 * New tables: DataTable, whose actions stay on screen and which shows cards on a phone.
 */
export function TableScroll(props: { label: string; children: ComponentChildren }) {
  return <ScrollRegion label={props.label}>{props.children}</ScrollRegion>;
}

/** A status as a badge: `value` (the code) picks its colour, `label` (labels.ts) is what it reads. */
export function Status(props: { value: string; label: string; testId?: string }) {
  return (
    <span class={`status status-${props.value.replace(/[^a-z_-]/gi, '')}`} data-testid={props.testId}>
      {props.label}
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
