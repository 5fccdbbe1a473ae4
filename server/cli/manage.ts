/**
 * `bun run manage <command>`: user, group, permission and session
 * administration against DATABASE_URL. Run `bun run manage help` for the list.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { openMigratedDatabase } from '../../db/client';
import { ConfigError, loadConfig, redisNamesOf } from '../config';
import { openSessionBackend } from '../auth/open-session-backend';
import type { SessionBackend } from '../auth/session-backend';
import {
  EXIT,
  addGroupCommand,
  addToGroupCommand,
  changePasswordCommand,
  clearSessionsCommand,
  createSuperuserCommand,
  createUserCommand,
  grantCommand,
  grantGroupCommand,
  listPermsCommand,
  listUsersCommand,
  notifyNobody,
  removeFromGroupCommand,
  revokeCommand,
  setActiveCommand,
  setFlagCommand,
  signOutCommand,
  resetTwoFactorCommand,
  toastCommand,
  type CommandContext,
  type CommandIO,
  type IdentityChange,
  type NotifyIdentityChange,
  type Outcome,
} from './commands';
import { createRedisBus } from '../bus/redis-bus';
import type { IdentityEvent } from '../bus/identity-bus';
import { createPusher } from '../bus/pusher';
import { FRAMEWORK_SLICES } from '../state/admin-slices';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

interface CommandSpec {
  usage: string;
  summary: string;
  /** Exact number of positional arguments, or [min, max]. */
  positionals: number | [number, number];
  options?: Options;
  run(ctx: CommandContext, args: string[], values: Values): Promise<Outcome>;
}

const text = (values: Values, key: string): string | undefined => {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
};
const flag = (values: Values, key: string): boolean => values[key] === true;

const EMAIL = { email: { type: 'string' } } satisfies Options;
const PASSWORD = { password: { type: 'string' } } satisfies Options;
const OFF = { off: { type: 'boolean' } } satisfies Options;

const COMMANDS: Record<string, CommandSpec> = {
  createuser: {
    usage: 'createuser <username> [--email E] [--password P] [--staff] [--superuser]',
    summary: 'create a user (asks for the password at a terminal)',
    positionals: 1,
    options: { ...EMAIL, ...PASSWORD, staff: { type: 'boolean' }, superuser: { type: 'boolean' } },
    run: (ctx, [username], v) =>
      createUserCommand(ctx, {
        username: username!,
        email: text(v, 'email'),
        password: text(v, 'password'),
        staff: flag(v, 'staff'),
        superuser: flag(v, 'superuser'),
      }),
  },
  createsuperuser: {
    usage: 'createsuperuser [username] [--username U] [--email E] [--password P]',
    summary: 'create a superuser (asks for what is missing at a terminal)',
    positionals: [0, 1],
    options: { ...EMAIL, ...PASSWORD, username: { type: 'string' } },
    run: (ctx, [username], v) =>
      createSuperuserCommand(ctx, {
        username: text(v, 'username') ?? username,
        email: text(v, 'email'),
        password: text(v, 'password'),
      }),
  },
  changepassword: {
    usage: 'changepassword <username> [--password P]',
    summary: "set a user's password and sign out their sessions",
    positionals: 1,
    options: PASSWORD,
    run: (ctx, [username], v) => changePasswordCommand(ctx, { username: username!, password: text(v, 'password') }),
  },
  grant: {
    usage: 'grant <username> <app.codename>',
    summary: 'grant a permission to a user',
    positionals: 2,
    run: (ctx, [username, perm]) => grantCommand(ctx, { username: username!, perm: perm! }),
  },
  revoke: {
    usage: 'revoke <username> <app.codename>',
    summary: "revoke a user's direct permission",
    positionals: 2,
    run: (ctx, [username, perm]) => revokeCommand(ctx, { username: username!, perm: perm! }),
  },
  revokeperm: {
    usage: 'revokeperm <username> <app.codename>',
    summary: "revoke a user's direct permission (the same as revoke)",
    positionals: 2,
    run: (ctx, [username, perm]) => revokeCommand(ctx, { username: username!, perm: perm! }),
  },
  listperms: {
    usage: 'listperms <username>',
    summary: "list a user's permissions: direct, by group, effective",
    positionals: 1,
    run: (ctx, [username]) => listPermsCommand(ctx, { username: username! }),
  },
  deactivate: {
    usage: 'deactivate <username>',
    summary: 'deactivate a user and sign out their sessions',
    positionals: 1,
    run: (ctx, [username]) => setActiveCommand(ctx, { username: username!, active: false }),
  },
  activate: {
    usage: 'activate <username>',
    summary: 'activate a user again',
    positionals: 1,
    run: (ctx, [username]) => setActiveCommand(ctx, { username: username!, active: true }),
  },
  setstaff: {
    usage: 'setstaff <username> [--off]',
    summary: 'give a user staff status (--off: take it away)',
    positionals: 1,
    options: OFF,
    run: (ctx, [username], v) => setFlagCommand(ctx, { username: username!, flag: 'isStaff', value: !flag(v, 'off') }),
  },
  setsuperuser: {
    usage: 'setsuperuser <username> [--off]',
    summary: 'make a user a superuser, and staff (--off: take superuser status away)',
    positionals: 1,
    options: OFF,
    run: (ctx, [username], v) => setFlagCommand(ctx, { username: username!, flag: 'isSuperuser', value: !flag(v, 'off') }),
  },
  signout: {
    usage: 'signout <username>',
    summary: "end all of a user's sessions (their open tabs sign out)",
    positionals: 1,
    run: (ctx, [username]) => signOutCommand(ctx, { username: username! }),
  },
  reset2fa: {
    usage: 'reset2fa <username>',
    summary: "turn a user's two-factor authentication off (a lost authenticator app)",
    positionals: 1,
    run: (ctx, [username]) => resetTwoFactorCommand(ctx, { username: username! }),
  },
  addgroup: {
    usage: 'addgroup <name>',
    summary: 'create a group',
    positionals: 1,
    run: (ctx, [name]) => addGroupCommand(ctx, { name: name! }),
  },
  removegroup: {
    usage: 'removegroup <username> <group>',
    summary: 'remove a user from a group',
    positionals: 2,
    run: (ctx, [username, group]) => removeFromGroupCommand(ctx, { username: username!, group: group! }),
  },
  addtogroup: {
    usage: 'addtogroup <username> <group>',
    summary: 'add a user to a group',
    positionals: 2,
    run: (ctx, [username, group]) => addToGroupCommand(ctx, { username: username!, group: group! }),
  },
  grantgroup: {
    usage: 'grantgroup <group> <app.codename>',
    summary: 'grant a permission to a group',
    positionals: 2,
    run: (ctx, [group, perm]) => grantGroupCommand(ctx, { group: group!, perm: perm! }),
  },
  clearsessions: {
    usage: 'clearsessions',
    summary: 'delete expired sessions and used or expired tokens',
    positionals: 0,
    run: (ctx) => clearSessionsCommand(ctx),
  },
  toast: {
    usage: 'toast <message> (--user U | --all) [--kind info|success|warning|error]',
    summary: 'show a toast in open tabs on every server process (needs BUS_URL)',
    positionals: 1,
    options: { user: { type: 'string' }, all: { type: 'boolean' }, kind: { type: 'string' } },
    run: (ctx, [message], v) =>
      toastCommand(ctx, { message: message!, username: text(v, 'user'), all: flag(v, 'all'), kind: text(v, 'kind') }),
  },
  users: {
    usage: 'users',
    summary: 'list users',
    positionals: 0,
    run: (ctx) => listUsersCommand(ctx),
  },
};

/** The `help` text: every command's usage and summary. */
function helpText(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return ['Usage: bun run manage <command> [arguments]', '', 'Commands:', ...lines, `  ${'help'.padEnd(width)}  show this text`].join('\n');
}

/**
 * Reads one line from the terminal in raw mode, echoing nothing when hidden.
 * Ctrl-C aborts the process; Ctrl-D on an empty line is end of input.
 */
function readTerminalLine(question: string, hidden: boolean): Promise<string | null> {
  const stdin = process.stdin;
  process.stdout.write(question);
  return new Promise((resolve) => {
    let line = '';
    const finish = (value: string | null): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') {
          finish(line);
          return;
        }
        if (ch === '\u0004') {
          finish(line === '' ? null : line);
          return;
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          process.stdout.write('\n');
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') {
          if (line && !hidden) process.stdout.write('\b \b');
          line = line.slice(0, -1);
        } else if (ch >= ' ') {
          line += ch;
          if (!hidden) process.stdout.write(ch);
        }
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** Terminal IO: prompts only when stdin and stdout are terminals. */
function createProcessIO(): CommandIO {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  return {
    interactive,
    out: (line) => console.log(line),
    prompt: (question, options) => (interactive ? readTerminalLine(question, options?.hidden ?? false) : Promise.resolve(null)),
  };
}

/**
 * The message of the deepest cause: database errors wrap the failed query and
 * its parameters, which may hold a password hash and must not be printed.
 */
function describeFault(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const message = current instanceof Error ? current.message : String(current);
  return message.split('\nparams:')[0]!.split('\n')[0]!;
}

/**
 * Runs one command line; returns the process exit code.
 *
 * @example
 * process.exitCode = await runManage(['grant', 'alice', 'notes.delete_note']);
 */
export async function runManage(
  argv: string[],
  notify: NotifyIdentityChange = notifyNobody,
  pusher: CommandContext['pusher'] = null,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? console.error : console.log)(helpText());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const spec = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!spec) {
    console.error(`error: unknown command "${name}" (run "bun run manage help")`);
    return EXIT.usage;
  }
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)} (usage: ${spec.usage})`);
    return EXIT.usage;
  }
  if (parsed.values.help === true) {
    console.log(`usage: ${spec.usage}\n${spec.summary}`);
    return EXIT.ok;
  }
  const [min, max] = typeof spec.positionals === 'number' ? [spec.positionals, spec.positionals] : spec.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    console.error(`error: wrong number of arguments (usage: ${spec.usage})`);
    return EXIT.usage;
  }
  let handle: Awaited<ReturnType<typeof openMigratedDatabase>> | null = null;
  let sessions: SessionBackend | null = null;
  try {
    const config = loadConfig();
    handle = await openMigratedDatabase(config.databaseUrl, config.databaseAuthToken);
    sessions = await openSessionBackend(config, handle.db, (error) => console.error(`warning: session backend: ${String(error)}`));
    const outcome = await spec.run(
      { db: handle.db, sessions, config, io: createProcessIO(), notify, pusher },
      parsed.positionals,
      parsed.values,
    );
    if (outcome.ok) return EXIT.ok;
    console.error(`error: ${outcome.message}`);
    return outcome.code;
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `error: ${describeFault(error)}`);
    return EXIT.failure;
  } finally {
    await sessions?.close();
    handle?.close();
  }
}

/** The identity-bus event for a change made from the command line. */
export function identityEventOf(change: IdentityChange): IdentityEvent {
  switch (change.kind) {
    case 'password_changed':
      return { type: 'sessions-ended', sessionIds: change.sessionIds, reason: 'password-changed' };
    case 'sessions_revoked':
      return { type: 'sessions-ended', sessionIds: change.sessionIds, reason: 'revoked' };
    case 'permissions_changed':
      return { type: 'users-changed', userIds: change.userIds };
  }
}

/**
 * With `BUS_URL` set, changes are published on the shared identity bus, so
 * open tabs on every server process follow at once; without it they follow
 * within the session cache bound (`session.cacheTtlMs`). Pushes (`toast`)
 * travel the same bus, and need it.
 */
async function main(): Promise<number> {
  const busUrl = process.env.BUS_URL;
  if (!busUrl) return runManage(process.argv.slice(2));
  const channel = redisNamesOf({ redisPrefix: process.env.REDIS_PREFIX || 'statehouse' }).identityChannel;
  const bus = await createRedisBus(busUrl, { channel, onError: (error) => console.error(`warning: identity bus: ${String(error)}`) });
  try {
    const pusher = createPusher({ bus, slices: FRAMEWORK_SLICES });
    return await runManage(process.argv.slice(2), (change) => bus.publish(identityEventOf(change)), pusher);
  } finally {
    await bus.close();
  }
}

if (import.meta.main) process.exitCode = await main();
