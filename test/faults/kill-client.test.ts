/**
 * SIGKILL of the client at seeded random moments of clone, reload and push. The moment is a
 * point of progress: a seeded share of the bytes the fault-free run moves (measured once per
 * phase). At that byte the proxy freezes and the CLI process is killed, so the client dies
 * having seen exactly that much. Then the run is resumed and every guarantee checked.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BASE_SEED, type Phase, TRIALS, TRIAL_TIMEOUT, calibrate, progressOf, resumeAndCheck, runsOf, scenario, seeded, spawnCli } from './harness.js';

const PHASES: Phase[] = ['clone', 'reload', 'push'];
const totals = new Map<Phase, number>();

beforeAll(async () => {
  for (const phase of PHASES) totals.set(phase, await calibrate(phase, BASE_SEED));
}, TRIAL_TIMEOUT);

describe.each(PHASES)('the client killed during %s', (phase) => {
  it.each(Array.from({ length: TRIALS }, (_, k) => BASE_SEED + 1000 * PHASES.indexOf(phase) + k))(
    'seed %i: the killed run is logged as an error; resumed, nothing is lost or duplicated and both sides converge',
    async (seed) => {
      const total = totals.get(phase)!;
      const world = await scenario(phase, seed);
      try {
        const random = seeded(seed ^ 0x5eed);
        const threshold = Math.max(1, Math.floor(total * (0.02 + random() * 0.9)));
        const run = spawnCli(world.cloneDir, world.operation);
        world.proxy.tripwire(progressOf(phase), threshold, () => {
          world.proxy.freeze();
          run.child.kill('SIGKILL');
        });
        const done = await run.exited;
        world.proxy.thaw();
        expect(done.signal, `seed ${seed}: the kill at byte ${threshold} of ${total} must land mid-run: ${done.stderr}`).toBe('SIGKILL');
        const runs = runsOf(world.cloneDir);
        // A clone killed before its tracker existed has nothing to log; any later kill is on record.
        if (phase !== 'clone' || runs.length > 0) {
          expect(runs[0], `seed ${seed}`).toMatchObject({ kind: phase, outcome: 'error', errors: [{ message: expect.stringMatching(/interrupted/) }] });
        }
        await resumeAndCheck(world);
      } finally {
        await world.cleanup();
      }
    },
    TRIAL_TIMEOUT,
  );
});
