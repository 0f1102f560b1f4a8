import { createCommandProcessor } from './command-job.ts';
import type { ProcessorDefinition } from './processor.ts';

/** Applies the commands the catalog routes to the closure queue. */
export const closureProcessor: ProcessorDefinition = {
  queue: 'closure',
  create: (deps) => createCommandProcessor('closure', deps),
};
