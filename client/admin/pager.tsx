import type { JSX } from 'solid-js';
import { formatMessage } from '../auth';
import { useAdminMessages } from './admin-messages';

/** **Previous** / **Next** and where the list stands (`Page 2 of 5 · 112 users`, `template` says which). */
export function Pager(props: {
  page: number;
  total: number;
  pageSize: number;
  template: 'pageOfUsers' | 'pageOfEvents';
  onPage: (page: number) => void;
}): JSX.Element {
  const t = useAdminMessages();
  const pages = () => Math.max(1, Math.ceil(props.total / props.pageSize));
  return (
    <nav class="admin-pager" aria-label={t().pages}>
      <button
        type="button"
        class="button button-small button-quiet"
        disabled={props.page <= 1}
        onClick={() => props.onPage(props.page - 1)}
      >
        {t().previous}
      </button>
      <span>{formatMessage(t()[props.template], { page: props.page, pages: pages(), total: props.total })}</span>
      <button
        type="button"
        class="button button-small button-quiet"
        disabled={props.page >= pages()}
        onClick={() => props.onPage(props.page + 1)}
      >
        {t().next}
      </button>
    </nav>
  );
}
