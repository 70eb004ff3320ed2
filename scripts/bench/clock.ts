/** The live bench's clock: wall-clock ms with sub-ms precision, comparable across its processes (each one's timeOrigin is taken from the wall clock). */
import { performance } from 'node:perf_hooks';

export const now = (): number => performance.timeOrigin + performance.now();
