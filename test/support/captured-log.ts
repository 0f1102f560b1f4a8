// A pino logger at debug level whose lines are parsed and kept, for assertions on what was logged.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export type CapturedLine = { level: string; msg: string; [key: string]: unknown };

export function capturedLog(): { lines: CapturedLine[]; log: Logger } {
  const lines: CapturedLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as CapturedLine);
      done();
    },
  });
  return { lines, log: pino({ level: 'debug', formatters: { level: (label) => ({ level: label }) } }, sink) };
}
