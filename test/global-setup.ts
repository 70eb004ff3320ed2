/**
 * Builds dist/ once before the suites: end-to-end tests run the built CLI, as users do.
 * Incremental (the build info lives in dist/, so removing dist/ starts afresh): unchanged files
 * are not rewritten, which keeps reruns fast and never swaps a file under a running CLI.
 * Type errors are reported but do not stop the run (tsc still emits); `npm install` (prepare)
 * and `npm run lint` are where they fail the build.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'];
  const result = spawnSync(process.execPath, tsc, { cwd: root, encoding: 'utf8' });
  if (result.error) throw new Error(`cannot run the TypeScript compiler: ${result.error.message}`);
  if (result.status !== 0) process.stderr.write(`warning: the build reported errors:\n${result.stdout}${result.stderr}\n`);
}
