import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/infra/db/database.ts';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });

describe('isDatabaseUnavailable: an outage, not a bad request or a bug', () => {
  it.each([
    ['terminated backends (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['a server still starting (57P03)', pgError('57P03', 'the database system is starting up')],
    ['a connection exception (08006)', pgError('08006', 'connection failure')],
    ['too many connections (53300)', pgError('53300', 'sorry, too many clients already')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a client whose connection broke', new Error('Client has encountered a connection error and is not queryable')],
    ['an exhausted pool', new Error('timeout exceeded when trying to connect')],
    [
      "Prisma's unreachable database (P1001)",
      Object.assign(new Error("Can't reach database server"), { code: 'P1001' }),
    ],
    [
      'a driver error wrapped by Prisma',
      new Error('driver adapter error', { cause: pgError('57P01', 'terminating connection') }),
    ],
  ])('recognizes %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', pgError('23505', 'duplicate key value violates unique constraint "cases_decision_no_key"')],
    ['a data exception', pgError('22P02', 'invalid input syntax for type uuid: "x"')],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['something that is not an error', 'Connection terminated'],
  ])('does not mistake %s for one', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
