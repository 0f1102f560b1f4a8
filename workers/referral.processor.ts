import { createCommandProcessor } from './command-job.ts';
import type { ProcessorDefinition } from './processor.ts';

/** Applies the commands the catalog routes to the referral queue. */
export const referralProcessor: ProcessorDefinition = {
  queue: 'referral',
  create: (deps) => createCommandProcessor('referral', deps),
};
