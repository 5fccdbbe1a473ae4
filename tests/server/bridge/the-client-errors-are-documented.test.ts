import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dir, '../../..');
const socketSource = readFileSync(join(root, 'client/state/socket.ts'), 'utf8');
const clientDoc = readFileSync(join(root, 'docs/client.md'), 'utf8');

/** The quoted messages of every `new StateClientError(…)` and of the `fail(…)` that builds one. */
function raisedMessages(source: string): string[] {
  const messages = new Set<string>();
  for (const [, argument] of source.matchAll(/(?:new StateClientError|fail)\(([^;]*?)(?:, \{|, cause\)|\);|\))/g)) {
    for (const [, literal] of argument!.matchAll(/'([^']+)'/g)) messages.add(literal!);
  }
  return [...messages];
}

describe('the StateClientError messages', () => {
  test('every message the socket client raises is in docs/client.md’s table', () => {
    const row = clientDoc.split('\n').find((line) => line.startsWith('| `message` |'));
    expect(row).toBeDefined();
    const messages = raisedMessages(socketSource);
    // The reader finds them all: a change to how they are written must not make this test vacuous.
    expect(messages).toEqual(
      expect.arrayContaining(['WebSocket closed', 'The state client is closed', 'Cancelled', 'The call could not be sent']),
    );
    const missing = messages.filter((message) => !row!.includes(`'${message}'`));
    expect(missing).toEqual([]);
  });
});
