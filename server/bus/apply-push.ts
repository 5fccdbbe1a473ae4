import type { Connection } from '../bridge/connection';
import type { ConnectionRegistry } from '../bridge/registry';
import type { Runtime } from '../runtime';
import type { AppAction, Delta } from '../state/protocol';
import type { SliceDefinition } from '../state/slices';
import { CheckedPush, checkPush, PushError, type PushEvent, type PushTarget } from './push-event';

/**
 * Applies a push to the open tabs of its target on this process. One that
 * came from another process (over Redis) is checked here against this
 * process's own slices; one this process checked before publishing it
 * (a `CheckedPush` of these slices) is not checked twice. A refused push is
 * logged and dropped.
 * Each tab's slice values take the patch, so its next event's delta is
 * computed from what the tab shows, and the fields that changed go out with
 * the actions on its `state` subscription.
 */
export function applyPush(runtime: Runtime, event: unknown): void {
  let push: PushEvent;
  try {
    // Checked before it was published, by this process against these slices: once per process is enough.
    push = event instanceof CheckedPush && event.isCheckedAgainst(runtime.slices) ? event : checkPush(event, runtime.slices);
  } catch (error) {
    if (!(error instanceof PushError)) throw error;
    runtime.log.warn('push refused', { code: error.code, issues: error.issues });
    return;
  }
  for (const conn of tabsOf(runtime.registry, push.target)) pushTo(conn, push.delta, push.actions, runtime.slices);
}

function tabsOf(registry: ConnectionRegistry, target: PushTarget): Iterable<Connection> {
  if ('userId' in target) return registry.ofUser(target.userId);
  if ('sessionId' in target) return registry.ofSession(target.sessionId);
  return registry.all;
}

function pushTo(conn: Connection, delta: Delta, actions: AppAction[], slices: ReadonlyMap<string, SliceDefinition>): void {
  if (conn.closed) return;
  const changed: Delta = {};
  for (const name in delta) {
    const fields = conn.patchSlice(name, slices.get(name)!, delta[name]!);
    if (fields) changed[name] = fields;
  }
  conn.push(changed, actions);
}
