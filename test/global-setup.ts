/**
 * Builds dist/ once before the suites: end-to-end tests run the built CLI, as users do.
 * Type errors are reported but do not stop the run (tsc still emits); `npm install` (prepare)
 * and `npm run lint` are where they fail the build.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) process.stderr.write(`warning: the build reported errors:\n${result.stdout}${result.stderr}\n`);
}
