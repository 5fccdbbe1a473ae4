import type { JSX, ParentProps } from 'solid-js';

export interface DialogFrameProps {
  /** The heading, and the dialog's accessible name. */
  title: string;
  /** The heading's id, which names the dialog (`aria-labelledby`); without one the title names it (`aria-label`). */
  titleId?: string;
  /** Says the dialog's content is still loading (`aria-busy`). */
  busy?: boolean;
  /** **Escape** pressed inside the dialog. */
  onEscape: () => void;
}

/** A modal dialog of the canned pages: the backdrop, the box with its heading, and **Escape** to cancel. */
export function DialogFrame(props: ParentProps<DialogFrameProps>): JSX.Element {
  return (
    <div class="sh-dialog-backdrop">
      <div
        class="sh-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={props.titleId}
        aria-label={props.titleId === undefined ? props.title : undefined}
        aria-busy={props.busy ? 'true' : undefined}
        onKeyDown={(event) => {
          if (event.key === 'Escape') props.onEscape();
        }}
      >
        <h2 id={props.titleId}>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}
