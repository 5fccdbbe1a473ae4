import type { ClientAction, ToastKind } from './protocol';

/**
 * `ctx.actions`: what the client runs after applying the event's delta, in
 * the order they were added.
 *
 * @example
 * ctx.actions.toast('success', 'Saved');
 * ctx.actions.navigate('/notes');
 */
export class ActionList {
  readonly list: ClientAction[] = [];

  navigate(to: string, options: { replace?: boolean } = {}): this {
    this.list.push(options.replace ? { type: 'navigate', to, replace: true } : { type: 'navigate', to });
    return this;
  }

  toast(kind: ToastKind, message: string): this {
    this.list.push({ type: 'toast', kind, message });
    return this;
  }

  reload(): this {
    this.list.push({ type: 'reload' });
    return this;
  }

  add(action: ClientAction): this {
    this.list.push(action);
    return this;
  }

  /** Removes earlier cookie actions: only the last identity change of an event matters. */
  replaceCookieAction(action: ClientAction): this {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const type = this.list[i]!.type;
      if (type === 'syncCookieThenNavigate' || type === 'clearAuthThenNavigate') this.list.splice(i, 1);
    }
    this.list.push(action);
    return this;
  }
}
