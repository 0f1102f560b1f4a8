import { pino, type DestinationStream, type Logger } from 'pino';
import { errorInfo, errorLocation } from './queue/outage-log.ts';

/**
 * Paths that may carry personal data or secrets anywhere in a log object. pino's
 * redaction matches exact paths, so each place a field can appear is listed.
 */
const PERSONAL_FIELDS = ['accountHandle', 'accountName', 'content', 'subjectName', 'subjectHandle', 'token', 'password', 'secret'];
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
  };
  return options.destination ? pino(logOptions, options.destination) : pino(logOptions);
}
