import { describe, expect, test } from 'bun:test';
import { BackgroundTasks } from '../../server/background';
import { createLogger } from '../../server/log';

function recordingLog() {
  const lines: string[] = [];
  return { lines, log: createLogger('debug', (line) => lines.push(line)) };
}

describe('background tasks', () => {
  test('start on a later turn, not inside the caller', async () => {
    const { log } = recordingLog();
    const tasks = new BackgroundTasks(log);
    const order: string[] = [];
    tasks.later('mail', async () => {
      order.push('task');
    });
    await Promise.resolve();
    order.push('caller');
    await tasks.drain();
    expect(order).toEqual(['caller', 'task']);
  });

  test('drain waits for tasks the tasks start', async () => {
    const { log } = recordingLog();
    const tasks = new BackgroundTasks(log);
    const done: string[] = [];
    tasks.later('outer', async () => {
      tasks.later('inner', async () => {
        done.push('inner');
      });
      done.push('outer');
    });
    await tasks.drain();
    expect(done).toEqual(['outer', 'inner']);
    expect(tasks.size).toBe(0);
  });

  test('a failing task is logged with its label, never thrown', async () => {
    const { lines, log } = recordingLog();
    const tasks = new BackgroundTasks(log);
    tasks.later('reset mail', async () => {
      throw new Error('smtp down');
    });
    await tasks.drain();
    expect(lines.some((line) => line.includes('reset mail failed') && line.includes('smtp down'))).toBe(true);
  });

  test('after close, a task from an event still in flight is dropped, not run against a closing database', async () => {
    const { lines, log } = recordingLog();
    const tasks = new BackgroundTasks(log);
    let ran = false;
    await tasks.close();
    tasks.later('late mail', async () => {
      ran = true;
    });
    await tasks.drain();
    expect(ran).toBe(false);
    expect(lines.some((line) => line.includes('late mail: not run'))).toBe(true);
  });
});
