/**
 * Helpers for Ink tests (ink-testing-library): key sequences, and waits that poll the last
 * frame until it shows what the test expects, never a fixed delay.
 */
import { stripVTControlCharacters } from 'node:util';

export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  left: '\u001B[D',
  right: '\u001B[C',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  home: '\u001B[H',
  end: '\u001B[F',
  enter: '\r',
  esc: '\u001B',
  space: ' ',
  backspace: '\u007F',
  tab: '\t',
  ctrlC: '\u0003',
  ctrlS: '\u0013',
} as const;

export interface InkHandle {
  lastFrame(): string | undefined;
  stdin: { write(data: string): void };
}

export type Expectation = string | RegExp | ((frame: string) => boolean);

/** The last frame without colours. */
export function frameOf(handle: Pick<InkHandle, 'lastFrame'>): string {
  return stripVTControlCharacters(handle.lastFrame() ?? '');
}

function matches(frame: string, expected: Expectation): boolean {
  if (typeof expected === 'string') return frame.includes(expected);
  if (expected instanceof RegExp) return expected.test(frame);
  return expected(frame);
}

/** Lets pending effects (input listeners of a screen just drawn) attach before the next key. */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Polls the last frame until it matches; fails with the frame it last saw. */
export async function waitForFrame(handle: Pick<InkHandle, 'lastFrame'>, expected: Expectation, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = frameOf(handle);
    if (matches(frame, expected)) {
      await settle();
      return frame;
    }
    if (Date.now() > deadline) throw new Error(`frame never showed ${String(expected)}; last frame:\n${frame}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Types `input` and waits until the frame matches `expected`, or, without it, until the frame
 * differs from the one before the key.
 */
export async function sendAndWait(handle: InkHandle, input: string, expected?: Expectation, timeoutMs?: number): Promise<string> {
  const before = frameOf(handle);
  await settle();
  handle.stdin.write(input);
  return waitForFrame(handle, expected ?? ((frame) => frame !== before), timeoutMs);
}
