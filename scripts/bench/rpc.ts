/**
 * Calls between the bench and its child processes over the IPC channel of `fork`: servers and
 * clients run in their own processes, so each one's peak RSS is its own and no two share an
 * event loop or a CPU-bound JIT warm-up.
 */
import { type ChildProcess, fork } from 'node:child_process';

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}

type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export type Handlers = Record<string, (args: never) => unknown>;

/** The child side: answers each request with its handler's result (or its error message); `onClose` runs when the parent lets go. */
export function serveRpc(handlers: Handlers, onClose: () => unknown = () => undefined): void {
  if (!process.send) throw new Error('this script is a child of the bench (scripts/bench/run.ts); run `npm run bench`');
  process.once('disconnect', () => {
    Promise.resolve()
      .then(onClose)
      .finally(() => process.exit(0));
  });
  process.on('message', (message: Request) => {
    const handler = handlers[message.cmd] as ((args: unknown) => unknown) | undefined;
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        return handler(message.args);
      })
      .then(
        (value) => process.send!({ id: message.id, ok: true, value } satisfies Answer),
        (error: unknown) => process.send!({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies Answer),
      );
  });
}

/** The parent side: one child process and the calls pending on it. */
export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly process: ChildProcess,
  ) {
    process.on('message', (answer: Answer) => {
      const call = this.pending.get(answer.id);
      if (!call) return;
      this.pending.delete(answer.id);
      if (answer.ok) call.resolve(answer.value);
      else call.reject(new Error(`${name}: ${answer.error}`));
    });
    this.exited = new Promise((resolve) => {
      process.once('exit', (code, signal) => {
        for (const call of this.pending.values()) call.reject(new Error(`${name} exited (${signal ?? code}) before answering`));
        this.pending.clear();
        resolve(code);
      });
    });
  }

  /** Forks `script` (a compiled .js path); `execArgv` adds node flags such as --cpu-prof. */
  static start(name: string, script: string, execArgv: string[] = []): Child {
    const child = fork(script, [], { execArgv: [...process.execArgv, ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Child(name, child);
  }

  call<T>(cmd: string, args: unknown = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.process.send({ id, cmd, args } satisfies Request);
    });
  }

  /** Lets the child end by itself (it exits when the channel closes), killing it after a grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.disconnect();
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Peak resident set size of this process so far, in MB (Linux reports maxRSS in KB). */
export function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}
