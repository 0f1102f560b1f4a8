import {
  parseQueueSelection,
  pipelineDeps,
  pipelineSettings,
  startPipeline,
  type Pipeline,
} from '../../../workers/index.ts';
import { createApi } from '../../api/server.ts';
import { sealPolicy } from '../../app/seal-checkpoint.ts';
import { isReachable } from '../../infra/db/database.ts';
import { createQueueFactory, queueFactoryOptions, type QueueFactory } from '../../infra/queue/queue-factory.ts';
import { openRuntime, type Runtime } from '../../infra/runtime.ts';
import { startTracing, type Tracing } from '../../infra/tracing.ts';
import { waitForService } from '../../infra/startup-wait.ts';
import { CliError } from '../exit.ts';
import { onShutdown } from '../shutdown.ts';

export async function runStart(options: { workers: boolean }): Promise<void> {
  const runtime = await openRuntime({ migrate: true, role: options.workers ? 'all' : 'api' });
  const { config, log } = runtime;
  // Whatever opened before a failure is closed again, so the process (and an embedded
  // PostgreSQL) never lingers half-started.
  const opened: (() => Promise<void>)[] = [() => runtime.close()];
  const closeOpened = async () => {
    for (const close of opened.reverse()) await close().catch(() => undefined);
  };
  try {
    const tracing = startTracingFor(runtime);
    if (tracing !== null) opened.push(() => tracing.shutdown());
    const factory = await createQueueFactory(factoryOptions(runtime, tracing));
    opened.push(() => factory.close());
    await waitForQueues(runtime, factory);
    const pipeline = options.workers ? await startPipelineFor(runtime, factory, 'all') : null;
    if (pipeline) opened.push(() => pipeline.close());
    const app = await createApi({
      db: runtime.db,
      log,
      config,
      health: { database: () => isReachable(runtime.db.pool), queues: () => factory.ping() },
      audit: { ...runtime.secrets, sealPolicy: sealPolicy(config) },
      secretsKey: runtime.secrets.secretsKey,
      hmacKey: runtime.secrets.hmacKey,
      queues: factory,
      files: { store: await runtime.files(), maxBytes: config.CASETRAIL_FILE_MAX_BYTES },
    });
    opened.push(() => app.close());
    await app.listen({ host: config.HOST, port: config.PORT });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    log.info(
      {
        url: `http://${config.HOST}:${port}`,
        queueBackend: factory.backend,
        embeddedPostgres: runtime.embedded,
        workers: options.workers,
      },
      'casetrail started',
    );
  } catch (error) {
    await closeOpened();
    throw error;
  }
  onShutdown(log, closeOpened);
}

export async function runWorker(options: { queues: string }): Promise<void> {
  let queues: ReturnType<typeof parseQueueSelection>;
  try {
    queues = parseQueueSelection(options.queues);
  } catch (error) {
    throw new CliError(`--queues: ${(error as Error).message}`);
  }
  const runtime = await openRuntime({ migrate: true, role: 'worker' });
  const tracing = startTracingFor(runtime);
  const factory = await createQueueFactory(factoryOptions(runtime, tracing));
  await waitForQueues(runtime, factory);
  const pipeline = await startPipelineFor(runtime, factory, queues);
  runtime.log.info({ queues, queueBackend: factory.backend }, 'casetrail workers started');
  onShutdown(runtime.log, async () => {
    await pipeline.close();
    await factory.close();
    await tracing?.shutdown();
    await runtime.close();
  });
}

async function startPipelineFor(
  runtime: Runtime,
  factory: QueueFactory,
  queues: ReturnType<typeof parseQueueSelection>,
): Promise<Pipeline> {
  return startPipeline({
    deps: { ...pipelineDeps(runtime), store: await runtime.files() },
    databaseUrl: runtime.databaseUrl,
    factory,
    queues,
    settings: pipelineSettings(runtime.config),
    signing: runtime.secrets,
  });
}

/** The queue backend answers before anything uses it (PostgreSQL's was waited for with the database). */
async function waitForQueues(runtime: Runtime, factory: QueueFactory): Promise<void> {
  if (factory.backend !== 'redis') return;
  await waitForService({
    service: 'redis',
    check: async () => {
      if (!(await factory.ping())) throw new Error('redis did not answer PING');
    },
    log: runtime.log,
    maxWaitMs: runtime.config.CASETRAIL_STARTUP_WAIT,
  });
}

/** Traces go to CASETRAIL_OTLP_ENDPOINT when it is set; otherwise tracing stays off. */
function startTracingFor(runtime: Runtime): Tracing | null {
  const endpoint = runtime.config.CASETRAIL_OTLP_ENDPOINT;
  const tracing = startTracing(endpoint === undefined ? {} : { otlpEndpoint: endpoint });
  if (tracing !== null) runtime.log.info({ endpoint }, 'tracing to otlp endpoint');
  return tracing;
}

function factoryOptions(runtime: Runtime, tracing: Tracing | null) {
  return {
    ...queueFactoryOptions(runtime.config, runtime.databaseUrl, runtime.log),
    ...(tracing === null ? {} : { telemetry: tracing.telemetry }),
  };
}
