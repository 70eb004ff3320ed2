#!/usr/bin/env node
/** The `s15n` command line: builds the program with the command argv names (loaded only then), maps errors to exit codes in one place. */
import { Command, CommanderError } from 'commander';
import { S15nError } from '../../shared/errors.js';
import { VERSION } from '../../server/version.js';
import { EXIT } from './exit.js';

type Register = (program: Command) => void;

/**
 * Every command module by the name it registers, in the order `s15n --help` lists them. Each is
 * loaded only when its command runs, so `s15n item list` never pays for the sync client, the
 * server or the TUI (DESIGN §15).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  init: async () => (await import('./commands/init.js')).registerInit,
  user: async () => (await import('./commands/user.js')).registerUser,
  grant: async () => (await import('./commands/grant.js')).registerGrant,
  tracker: async () => (await import('./commands/tracker.js')).registerTracker,
  item: async () => (await import('./commands/item.js')).registerItem,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  remote: async () => (await import('./commands/remote.js')).registerRemote,
  clone: async () => (await import('./commands/clone.js')).registerClone,
  reload: async () => (await import('./commands/reload.js')).registerReload,
  status: async () => (await import('./commands/status.js')).registerStatus,
  push: async () => (await import('./commands/push.js')).registerPush,
  sync: async () => (await import('./commands/sync.js')).registerSync,
  resolve: async () => (await import('./commands/resolve.js')).registerResolve,
  log: async () => (await import('./commands/log.js')).registerLog,
  tui: async () => (await import('./commands/tui.js')).registerTui,
  demo: async () => (await import('./commands/demo.js')).registerDemo,
  store: async () => (await import('./commands/store.js')).registerStore,
};

/** The program and its own options, without its commands. */
function baseProgram(): Command {
  return new Command('s15n')
    .description('Peer-to-peer tracker replication: serve trackers, clone them, reload, merge and push changes')
    .version(VERSION)
    .option('--data <dir>', 'the instance data dir (default: $S15N_DATA, else ./.s15n)')
    .option('--store <url>', 'a PostgreSQL instance, postgres://USER@HOST[:PORT]/DB (default: $S15N_STORE), for init, user, grant, tracker, item, serve')
    .option('--json', 'print one machine-readable JSON document on stdout (messages go to stderr)')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      // Usage errors read like every other error: `s15n: <message>`.
      outputError: (text, write) => write(text.replace(/^error: /, 's15n: ')),
    });
}

/**
 * What the program's own options leave in front: the first operand (the command's name, as
 * commander finds it) and whether -V/--version came before it. The options are the program's,
 * so one added later (with or without a value) is skipped the same way. An unknown option
 * there ends the scan without a name.
 */
function scanArgs(program: Command, args: readonly string[]): { name: string | undefined; version: boolean } {
  let version = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return { name: args[i + 1], version };
    if (arg.length < 2 || !arg.startsWith('-')) return { name: arg, version };
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const option = program.options.find((o) => o.long === flag || o.short === flag);
    if (!option || (eq !== -1 && !option.required && !option.optional)) return { name: undefined, version };
    if (option.long === '--version') version = true;
    // `--data DIR` takes the next argument (`--data=DIR` holds its value); an optional value is
    // taken, as commander does, when the next argument is not an option.
    if (eq === -1 && (option.required || (option.optional && !(args[i + 1] ?? '-').startsWith('-')))) i++;
  }
  return { name: undefined, version };
}

/**
 * The program with the commands argv may run: the one it names; none for a bare --version
 * (commander prints it while reading the options); every one otherwise, so help lists them all
 * and an unknown command gets its "did you mean" suggestions.
 */
async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = baseProgram();
  const { name, version } = scanArgs(program, argv.slice(2));
  const wanted = name !== undefined && Object.hasOwn(COMMANDS, name) ? [COMMANDS[name]!] : version ? [] : Object.values(COMMANDS);
  // Subcommands created by .command() inherit the output settings and the exit override.
  for (const register of await Promise.all(wanted.map((load) => load()))) register(program);
  return program;
}

/** `--json` anywhere before a `--` (the program's options may follow the subcommand). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

function printJsonError(code: string, message: string, details: unknown): void {
  process.stdout.write(`${JSON.stringify({ error: { code, message, details: details ?? {} } })}\n`);
}

/** The one place errors become exit codes: usage and bad input 2, anything else 1. */
function reportError(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) {
    // --help and --version end through the same override, with exit code 0.
    if (error.exitCode === 0) return EXIT.ok;
    // A command group without its subcommand (`s15n tracker`) ends as "help shown, exit 1".
    const message = error.code === 'commander.help' ? 'a subcommand is missing (the usage is on stderr)' : error.message.replace(/^error: /, '');
    // Commander printed its own error line already; after a bare usage, say what was wrong.
    if (error.code === 'commander.help') process.stderr.write(`s15n: ${message}\n`);
    if (json) printJsonError('bad_input', message, { usage: error.code });
    return EXIT.usage;
  }
  if (error instanceof S15nError) {
    process.stderr.write(`s15n: ${error.message}\n`);
    const problems = (error.details as { problems?: { field: string; reason: string }[] } | undefined)?.problems ?? [];
    for (const p of problems.slice(0, 20)) process.stderr.write(`  ${p.field}: ${p.reason}\n`);
    if (problems.length > 20) process.stderr.write(`  (and ${problems.length - 20} more)\n`);
    if (json) printJsonError(error.code, error.message, error.details);
    return error.code === 'bad_input' ? EXIT.usage : EXIT.failed;
  }
  // Unexpected: the message only; S15N_DEBUG=1 shows where it came from.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`s15n: ${message}\n`);
  if (process.env.S15N_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  if (json) printJsonError('internal', message, {});
  return EXIT.failed;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  // `s15n item list X | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') process.stderr.write(`s15n: cannot write the output: ${error.message}\n`);
    process.exit(error.code === 'EPIPE' ? EXIT.ok : EXIT.failed);
  });
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    return reportError(error, wantsJson(argv));
  }
}

process.exitCode = await main();
