import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createLogger, lazyChild } from '../../src/infra/logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', destination }) };
}

describe('logger', () => {
  it('writes pino JSON with a lower-case level and the message', () => {
    const { lines, log } = capture();
    log.info({ caseId: 'c1' }, 'command applied');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 'info',
      caseId: 'c1',
      msg: 'command applied',
      name: 'casetrail',
    });
  });

  it('makes a lazy child only when it writes, with its bindings (redacted) and its own children', () => {
    const { lines, log } = capture();
    const child = vi.spyOn(log, 'child');
    const job = lazyChild(log, { jobId: 'j1', content: 'personal text' });
    job.debug({ seq: 1 }, 'below the level');
    expect(job.isLevelEnabled('debug')).toBe(false);
    const projection = lazyChild(job, { projection: 'visits' });
    projection.trace('below the level too');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toHaveLength(0);
    projection.warn({ seq: 2 }, 'written');
    // The job's child, then the projection's (a pino child inherits child from its parent).
    expect(child).toHaveBeenCalledTimes(2);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 'warn',
      jobId: 'j1',
      content: '[redacted]',
      projection: 'visits',
      seq: 2,
      msg: 'written',
    });
    job.info('again');
    expect(child).toHaveBeenCalledTimes(2);
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ jobId: 'j1', msg: 'again' });
  });

  it('redacts personal fields and tokens wherever they appear', () => {
    const { lines, log } = capture();
    log.info(
      {
        accountHandle: 'nguyen.van.a',
        item: { accountName: 'Nguyễn Văn A', content: 'secret text', url: 'https://example.vn/p/1' },
        body: { penalty: { subject: { name: 'Trần Thị B' } } },
        req: { headers: { authorization: 'Bearer ct_abc' } },
        token: 'ct_abc',
      },
      'request received',
    );
    const line = lines[0] ?? '';
    for (const secret of ['nguyen.van.a', 'Nguyễn Văn A', 'secret text', 'Trần Thị B', 'ct_abc'])
      expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toMatchObject({ item: { url: 'https://example.vn/p/1', content: '[redacted]' } });
  });

  it('logs an error with its name, message and where it was thrown, never its stack trace', () => {
    const { lines, log } = capture();
    log.error({ err: new TypeError('no such column') }, 'request failed');
    const line = JSON.parse(lines[0] ?? '{}') as { err: Record<string, unknown> };
    expect(line.err).toEqual({
      name: 'TypeError',
      message: 'no such column',
      where: expect.stringMatching(/logger\.test\.ts:\d+:\d+/),
    });
    expect(lines[0]).not.toMatch(/\\n\s*at /);
  });

  it('withholds the message of a PostgreSQL data exception, which quotes the value', () => {
    const { lines, log } = capture();
    const error = Object.assign(new Error('invalid input syntax for type uuid: "Nguyễn Văn A"'), {
      code: '22P02',
      routine: 'string_to_uuid',
    });
    log.warn({ err: error }, 'query failed');
    expect(lines[0]).not.toContain('Nguyễn Văn A');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ err: { code: '22P02', routine: 'string_to_uuid' } });
  });
});
