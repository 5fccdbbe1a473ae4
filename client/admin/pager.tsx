import type { JSX } from 'solid-js';

/** **Previous** / **Next** and where the list stands (`Page 2 of 5 · 112 users`). */
export function Pager(props: { page: number; total: number; pageSize: number; noun: string; onPage: (page: number) => void }): JSX.Element {
  const pages = () => Math.max(1, Math.ceil(props.total / props.pageSize));
  return (
    <nav class="admin-pager" aria-label="Pages">
      <button
        type="button"
        class="button button-small button-quiet"
        disabled={props.page <= 1}
        onClick={() => props.onPage(props.page - 1)}
      >
        Previous
      </button>
      <span>
        Page {props.page} of {pages()} · {props.total} {props.noun}
      </span>
      <button
        type="button"
        class="button button-small button-quiet"
        disabled={props.page >= pages()}
        onClick={() => props.onPage(props.page + 1)}
      >
        Next
      </button>
    </nav>
  );
}
