#!/usr/bin/env node
/** The `s15n` command line: builds the program, registers the commands, maps errors to exit codes in one place. */
import { Command, CommanderError } from 'commander';
import { S15nError } from '../../shared/errors.js';
import { VERSION } from '../../server/version.js';
import { EXIT } from './context.js';
import { registerInit } from './commands/init.js';
import { registerUser } from './commands/user.js';
import { registerGrant } from './commands/grant.js';
import { registerTracker } from './commands/tracker.js';
import { registerItem } from './commands/item.js';
import { registerServe } from './commands/serve.js';
import { registerRemote } from './commands/remote.js';
import { registerClone } from './commands/clone.js';
import { registerReload } from './commands/reload.js';
import { registerStatus } from './commands/status.js';
import { registerPush } from './commands/push.js';
import { registerResolve } from './commands/resolve.js';
import { registerLog } from './commands/log.js';
import { registerTui } from './commands/tui.js';
import { registerDemo } from './commands/demo.js';

/** Every command module, in the order `s15n --help` lists them. */
const COMMANDS: ((program: Command) => void)[] = [
  registerInit,
  registerUser,
  registerGrant,
  registerTracker,
  registerItem,
  registerServe,
  registerRemote,
  registerClone,
  registerReload,
  registerStatus,
  registerPush,
  registerResolve,
  registerLog,
  registerTui,
  registerDemo,
];

function buildProgram(): Command {
  const program = new Command('s15n')
    .description('Peer-to-peer tracker replication: serve trackers, clone them, reload, merge and push changes')
    .version(VERSION)
    .option('--data <dir>', 'the instance data dir (default: $S15N_DATA, else ./.s15n)')
    .option('--json', 'print one machine-readable JSON document on stdout (messages go to stderr)')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      // Usage errors read like every other error: `s15n: <message>`.
      outputError: (text, write) => write(text.replace(/^error: /, 's15n: ')),
    });
  // Subcommands created by .command() inherit the output settings and the exit override.
  for (const register of COMMANDS) register(program);
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
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    return reportError(error, wantsJson(argv));
  }
}

process.exitCode = await main();
