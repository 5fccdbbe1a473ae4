import { For, type JSX } from 'solid-js';

/** A list of the admin as a table: its header row, one row per item, and a row saying so when there is none. */
export function AdminTable<T>(props: {
  head: JSX.Element;
  rows: readonly T[];
  columns: number;
  empty: string;
  children: (row: T) => JSX.Element;
}): JSX.Element {
  return (
    <table class="admin-table">
      <thead>
        <tr>{props.head}</tr>
      </thead>
      <tbody>
        <For
          each={props.rows}
          fallback={
            <tr>
              <td colSpan={props.columns}>{props.empty}</td>
            </tr>
          }
        >
          {props.children}
        </For>
      </tbody>
    </table>
  );
}
