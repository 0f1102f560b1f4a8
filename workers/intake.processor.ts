import { createCommandProcessor } from './command-job.ts';
import type { ProcessorDefinition } from './processor.ts';

/** Applies the commands the catalog routes to the intake queue. */
export const intakeProcessor: ProcessorDefinition = {
  queue: 'intake',
  create: (deps) => createCommandProcessor('intake', deps),
};
