import { pino, type DestinationStream, type Logger } from 'pino';
import { errorInfo, errorLocation } from './error-info.ts';
import { traceIds } from './tracing.ts';

/**
 * Paths that may carry personal data or secrets anywhere in a log object. pino's
 * redaction matches exact paths, so each place a field can appear is listed.
 */
const PERSONAL_FIELDS = [
  'accountHandle',
  'accountName',
  'content',
  'subjectName',
  'subjectHandle',
  'token',
  'password',
  'secret',
];
const REDACT_PATHS = [
  ...PERSONAL_FIELDS,
  ...PERSONAL_FIELDS.map((f) => `*.${f}`),
  ...PERSONAL_FIELDS.map((f) => `*.*.${f}`),
  ...PERSONAL_FIELDS.map((f) => `*.*.*.${f}`),
  'subject.name',
  '*.subject.name',
  '*.*.subject.name',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.headers.authorization',
];

export type { Logger };

/**
 * An `err` is logged as its name, code, message and where it was thrown, never with its
 * stack: a trace repeats the message, and some messages quote what a client sent. What is
 * already a plain object (errorInfo's output) passes as it is.
 */
function serializeError(value: unknown): unknown {
  return value instanceof Error ? { ...errorInfo(value), where: errorLocation(value) } : value;
}

export function createLogger(options: { level: string; name?: string; destination?: DestinationStream }): Logger {
  const logOptions = {
    level: options.level,
    name: options.name ?? 'casetrail',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
    serializers: { err: serializeError },
    // Every line written while a span is active names its trace (tracing on).
    mixin: () => traceIds() ?? {},
  };
  return options.destination ? pino(logOptions, options.destination) : pino(logOptions);
}

const LEVEL_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const noop = () => undefined;

/**
 * parent.child(bindings), made only when first written to. A pino child serializes (and
 * redacts) its bindings when it is made, and most jobs bind their ids to a logger they never
 * write to. A call at a level the parent leaves out does nothing and makes no child.
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const made = (): Logger => (child ??= parent.child(bindings));
  return new Proxy(parent, {
    get(_target, key) {
      if (child === undefined && typeof key === 'string') {
        if (LEVEL_METHODS.has(key) && !parent.isLevelEnabled(key)) return noop;
        if (key === 'isLevelEnabled') return parent.isLevelEnabled.bind(parent);
      }
      const target = made();
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
