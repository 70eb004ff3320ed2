#!/usr/bin/env node
/** The `s15n` command line: builds the program, registers the commands, maps errors to exit codes in one place. */
import { Command, CommanderError } from 'commander';
import { S15nError } from '../../shared/errors.js';
import { VERSION } from '../../server/version.js';
import { EXIT } from './context.js';
import { registerGrant } from './commands/grant.js';
import { registerInit } from './commands/init.js';
import { registerItem } from './commands/item.js';
import { registerServe } from './commands/serve.js';
import { registerTracker } from './commands/tracker.js';
import { registerUser } from './commands/user.js';
import { registerRemote } from './commands/remote.js';
import { registerClone } from './commands/clone.js';
import { registerReload } from './commands/reload.js';
import { registerStatus } from './commands/status.js';
import { registerResolve } from './commands/resolve.js';
import { registerLog } from './commands/log.js';
import { registerPush } from './commands/push.js';

const COMMANDS: ((program: Command) => void)[] = [registerInit, registerUser, registerGrant, registerTracker, registerItem, registerServe, registerRemote, registerClone, registerReload, registerStatus, registerResolve, registerLog, registerPush];

function buildProgram(): Command {
  const program = new Command('s15n')
    .description('Peer-to-peer tracker replication: serve trackers, clone them, reload, merge and push changes')
    .version(VERSION)
    .option('--data <dir>', 'the instance data dir (default: $S15N_DATA or ./.s15n)')
    .option('--json', 'print one machine-readable JSON document on stdout')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const register of COMMANDS) register(program);
  // Every subcommand reports usage errors through the same override as the program.
  const override = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  return program;
}

function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}

function reportError(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'usage', message: error.message } })}\n`);
    return EXIT.usage;
  }
  if (error instanceof S15nError) {
    process.stderr.write(`s15n: ${error.message}\n`);
    const problems = (error.details as { problems?: { field: string; reason: string }[] } | undefined)?.problems ?? [];
    for (const p of problems.slice(0, 20)) process.stderr.write(`  ${p.field}: ${p.reason}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) } })}\n`);
    return error.code === 'bad_input' ? EXIT.usage : EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`s15n: ${message}\n`);
  if (process.env.S15N_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'internal', message } })}\n`);
  return EXIT.failed;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    return reportError(error, wantsJson(argv));
  }
}

const code = await main();
process.exitCode = code;
