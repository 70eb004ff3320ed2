/**
 * SIGKILL of the server at seeded random moments of clone, reload and push (a seeded share of the
 * bytes the fault-free run moves). The server comes back on a new port behind the same proxy,
 * so the client's remote is unchanged: on even trials at once (the client's retries may carry
 * the run through), on odd trials only once the client has given up (the run must fail, clearly,
 * and be logged as an error). Then the run is resumed and every guarantee checked.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BASE_SEED,
  type Phase,
  TRIALS,
  TRIAL_TIMEOUT,
  calibrate,
  progressOf,
  resumeAndCheck,
  runsOf,
  scenario,
  seeded,
  serveProcess,
  spawnCli,
} from './harness.js';

const PHASES: Phase[] = ['clone', 'reload', 'push'];
const totals = new Map<Phase, number>();

beforeAll(async () => {
  for (const phase of PHASES) totals.set(phase, await calibrate(phase, BASE_SEED));
}, TRIAL_TIMEOUT);

describe.each(PHASES)('the server killed during %s', (phase) => {
  it.each(Array.from({ length: TRIALS }, (_, k) => BASE_SEED + 5000 + 1000 * PHASES.indexOf(phase) + k))(
    'seed %i: the client fails clearly or recovers; resumed, nothing is lost or duplicated and both sides converge',
    async (seed) => {
      const total = totals.get(phase)!;
      const world = await scenario(phase, seed);
      try {
        const random = seeded(seed ^ 0x5eed);
        const threshold = Math.max(1, Math.floor(total * (0.02 + random() * 0.9)));
        const restartAtOnce = seed % 2 === 0;
        const run = spawnCli(world.cloneDir, world.operation);
        world.proxy.tripwire(progressOf(phase), threshold, () => {
          // What the server had sent and the proxy not yet passed on dies with it.
          world.master.child.kill('SIGKILL');
          world.proxy.dropAll();
        });
        const first = await Promise.race([world.master.exited.then(() => 'server' as const), run.exited.then(() => 'client' as const)]);
        expect(first, `seed ${seed}: the kill at byte ${threshold} of ${total} must land mid-run`).toBe('server');
        expect(world.proxy.tripped()).toBe(true);
        if (restartAtOnce) {
          world.master = await serveProcess(world.masterDir);
          world.proxy.retarget(world.master.port);
        }
        const done = await run.exited;
        if (!restartAtOnce) {
          // No server for the whole of the client's retries: the run fails and says why.
          expect(done.code, `seed ${seed}: ${done.stderr}${done.stdout}`).toBe(1);
          expect(done.stderr).toMatch(/cannot reach remote origin at|origin .* (closed|reset|ended)|ECONNRE/);
          expect(done.stderr).not.toMatch(/^\s+at /m);
          world.master = await serveProcess(world.masterDir);
          world.proxy.retarget(world.master.port);
        }
        expect([0, 1], `seed ${seed}: ${done.stderr}`).toContain(done.code);
        const runs = runsOf(world.cloneDir);
        if (done.code !== 0 && (phase !== 'clone' || runs.length > 0)) {
          expect(runs[0], `seed ${seed}`).toMatchObject({ kind: phase, outcome: 'error' });
          expect(runs[0]!.errors.length).toBeGreaterThan(0);
        }
        await resumeAndCheck(world);
      } finally {
        await world.cleanup();
      }
    },
    TRIAL_TIMEOUT,
  );
});
