import { createCommandProcessor } from './command-job.ts';
import type { ProcessorDefinition } from './processor.ts';

/** Applies the commands the catalog routes to the verification queue. */
export const verificationProcessor: ProcessorDefinition = {
  queue: 'verification',
  create: (deps) => createCommandProcessor('verification', deps),
};
