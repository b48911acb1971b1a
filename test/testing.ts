/**
 * The `sam2-segmenter/testing` entry as built (dist/testing.js): it shares the workers of the
 * element bundle the tests load (dist/sam2-segmenter.js). Typed from its source.
 */
import type * as Testing from '../src/testing.js';

const built = (await import(new URL('../dist/testing.js', import.meta.url).href)) as typeof Testing;

export const { workerStats, workerStarts, simulateWorkerCrash, simulateDeviceLoss, simulateStorageFault, simulateAdapter, comparePreprocess } = built;
export type { WorkerStats } from '../src/testing.js';
