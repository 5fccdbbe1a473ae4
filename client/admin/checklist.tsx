import { createResource, createSignal, For, type JSX } from 'solid-js';
import { useAdminClient, useAdminRevision } from './admin-client';
import { useAdminMessages } from './admin-messages';

export interface ChecklistProps<T extends string | number> {
  legend: string;
  options: readonly { value: T; label: string }[];
  /** What is held now (the list starts from it, and again when it changes). */
  selected: readonly T[];
  saveLabel: string;
  disabled?: boolean;
  onSave: (values: T[]) => void;
}

/** A list of checkboxes with one save button (groups, permissions, members). */
export function Checklist<T extends string | number>(props: ChecklistProps<T>): JSX.Element {
  const t = useAdminMessages();
  const [picked, setPicked] = createSignal<Set<T> | null>(null);
  const current = () => picked() ?? new Set(props.selected);
  const toggle = (value: T, on: boolean) => {
    const next = new Set(current());
    if (on) next.add(value);
    else next.delete(value);
    setPicked(next);
  };
  return (
    <fieldset class="admin-checklist">
      <legend>{props.legend}</legend>
      <ul>
        <For each={props.options} fallback={<li class="muted">{t().noneYet}</li>}>
          {(option) => (
            <li>
              <label>
                <input
                  type="checkbox"
                  checked={current().has(option.value)}
                  onChange={(e) => toggle(option.value, e.currentTarget.checked)}
                />
                {option.label}
              </label>
            </li>
          )}
        </For>
      </ul>
      <button
        type="button"
        class="button button-small"
        disabled={props.disabled}
        onClick={() => {
          props.onSave([...current()]);
          setPicked(null);
        }}
      >
        {props.saveLabel}
      </button>
    </fieldset>
  );
}

/** Every permission that exists as a {@link Checklist}, **Save permissions** handing on the names picked. */
export function PermissionChecklist(props: {
  selected: readonly string[];
  disabled: boolean;
  onSave: (names: string[]) => void;
}): JSX.Element {
  const trpc = useAdminClient();
  const revision = useAdminRevision();
  const t = useAdminMessages();
  const [permissions] = createResource(revision, () => trpc.admin.permissions.query().catch(() => []));
  return (
    <Checklist
      legend={t().permissions}
      options={(permissions.latest ?? []).map((p) => ({ value: p.name, label: `${p.name} (${p.label})` }))}
      selected={props.selected}
      saveLabel={t().savePermissions}
      disabled={props.disabled}
      onSave={props.onSave}
    />
  );
}
