/**
 * `node --import <this file's URL>?out=FILE main.js ...` appends the URL of every module the
 * process resolves through `import` to FILE, one a line: tests read which modules a command loads.
 * As the preload it registers itself as the loader hooks (in the hooks thread it only resolves).
 */
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { URL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const out = new URL(import.meta.url).searchParams.get('out');

if (isMainThread) register(import.meta.url);

/** The loader hook: resolves as Node would, and records what it resolved to. */
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (out) appendFileSync(out, `${resolved.url}\n`);
  return resolved;
}
