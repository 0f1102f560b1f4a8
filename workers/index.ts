// What the rest of casetrail uses of the workers: the processors, the queue selection of the
// worker command, and the pipeline (workers, relay, reconciler, sealer, sweeper) they run in.
export { PROCESSORS, WorkerSetupError, checkProcessors, parseQueueSelection } from './start-workers.ts';
export {
  startPipeline,
  pipelineDeps,
  pipelineSettings,
  type Pipeline,
  type PipelineSettings,
} from './pipeline.ts';
export type { ProcessorDefinition, ProcessorDeps } from './processor.ts';
