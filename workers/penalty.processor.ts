import { createCommandProcessor } from './command-job.ts';
import type { ProcessorDefinition } from './processor.ts';

/** Applies the commands the catalog routes to the penalty queue. */
export const penaltyProcessor: ProcessorDefinition = {
  queue: 'penalty',
  create: (deps) => createCommandProcessor('penalty', deps),
};
