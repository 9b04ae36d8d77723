import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/** Cards below this width (px), a table above it. */
export const NARROW = '(max-width: 640px)';

/** Whether the window matches `query` now, kept up to date as it is resized or turned. */
export function useMedia(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const change = () => setMatches(list.matches);
    change();
    list.addEventListener('change', change);
    return () => list.removeEventListener('change', change);
  }, [query]);
  return matches;
}

/**
 * A box that may scroll (a table too wide for its place, an SMS thread): while its content
 * overflows it is a named region that takes the focus, so that a keyboard scrolls it with the
 * arrow keys (WCAG 2.1.1; axe-core's scrollable-region-focusable); while it does not, it is no
 * stop on the Tab path.
 */
export function ScrollRegion(props: {
  label: string;
  class?: string;
  children: ComponentChildren;
  /** The element, for a caller that keeps its scroll (the Phones page). */
  boxRef?: { current: HTMLDivElement | null };
  onScroll?: () => void;
}) {
  const own = useRef<HTMLDivElement>(null);
  const box = props.boxRef ?? own;
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () =>
      setScrolls(el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    for (const child of Array.from(el.children)) observer.observe(child);
    const mutations = new MutationObserver(measure);
    mutations.observe(el, { childList: true, subtree: true, characterData: true });
    return () => {
      observer.disconnect();
      mutations.disconnect();
    };
  }, [box]);
  return (
    <div
      class={props.class ?? 'table-scroll'}
      ref={box}
      onScroll={props.onScroll}
      {...(scrolls ? { role: 'region', 'aria-label': props.label, tabIndex: 0 } : {})}
    >
      {props.children}
    </div>
  );
}

export type Column<T> = {
  /** The column's heading, and the card's name for the value. */
  header: string;
  cell: (row: T) => ComponentChildren;
  /** Short values (a status, a count, an amount) that never wrap; others wrap at the table's width. */
  nowrap?: boolean;
  /** Only in the table: a card leaves it out (said by the card's title, or not needed on a phone). */
  tableOnly?: boolean;
};

/**
 * A list of rows with their actions. Above 640 px a table whose text wraps so that it fits its
 * page, the action column last and never wrapped: the actions stay on screen at 1366 px without
 * sideways scrolling. At 640 px and below, a card per row: its title (the first column), each other
 * column as a name and value, and the same actions. `expanded` replaces a row by what it returns
 * (an edit form), across the table's width or as the card. `testId` names the table or the list,
 * `rowTestId` each row or card (not one replaced by `expanded`).
 */
export function DataTable<T>(props: {
  label: string;
  rows: T[];
  rowKey: (row: T) => string;
  columns: Column<T>[];
  actions?: (row: T) => ComponentChildren;
  /** Shown alone when there are no rows. */
  empty: ComponentChildren;
  expanded?: (row: T) => ComponentChildren | undefined;
  testId?: string;
  rowTestId?: (row: T) => string;
  rowClass?: (row: T) => string | undefined;
}) {
  const narrow = useMedia(NARROW);
  const [title, ...rest] = props.columns;
  if (props.rows.length === 0)
    return (
      <div data-testid={props.testId}>
        <p class="empty-list">{props.empty}</p>
      </div>
    );
  if (narrow)
    return (
      <ul class="cards" aria-label={props.label} data-testid={props.testId}>
        {props.rows.map((r) => {
          const open = props.expanded?.(r);
          return (
            <li
              key={props.rowKey(r)}
              class={['card', props.rowClass?.(r)].filter(Boolean).join(' ')}
              data-testid={open ? undefined : props.rowTestId?.(r)}
            >
              {open ?? (
                <>
                  <p class="card-title">{title!.cell(r)}</p>
                  <dl>
                    {rest
                      .filter((c) => !c.tableOnly)
                      .map((c) => (
                        <div key={c.header}>
                          <dt>{c.header}</dt>
                          <dd>{c.cell(r)}</dd>
                        </div>
                      ))}
                  </dl>
                  {props.actions && <div class="actions">{props.actions(r)}</div>}
                </>
              )}
            </li>
          );
        })}
      </ul>
    );
  const span = props.columns.length + (props.actions ? 1 : 0);
  return (
    <ScrollRegion label={props.label}>
      <table class="striped data-table" data-testid={props.testId}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.header} scope="col" class={c.nowrap ? 'nowrap' : undefined}>
                {c.header}
              </th>
            ))}
            {props.actions && (
              <th scope="col" class="row-actions">
                <span class="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => {
            const open = props.expanded?.(r);
            return (
              <tr
                key={props.rowKey(r)}
                class={props.rowClass?.(r)}
                data-testid={open ? undefined : props.rowTestId?.(r)}
              >
                {open ? (
                  <td colSpan={span}>{open}</td>
                ) : (
                  <>
                    {props.columns.map((c) => (
                      <td key={c.header} class={c.nowrap ? 'nowrap' : undefined}>
                        {c.cell(r)}
                      </td>
                    ))}
                    {props.actions && (
                      <td class="row-actions">
                        <div class="actions">{props.actions(r)}</div>
                      </td>
                    )}
                  </>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
