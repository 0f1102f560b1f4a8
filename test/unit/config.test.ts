import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, parseDuration, queueBackend } from '../../src/infra/config/config.ts';

describe('configuration', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      CASETRAIL_REDIS_PREFIX: 'casetrail',
      CASETRAIL_DATA_DIR: './.casetrail',
      CASETRAIL_SLA_RECEIVED: 24 * 3_600_000,
      CASETRAIL_SLA_VERIFIED: 48 * 3_600_000,
      CASETRAIL_SLA_REFERRED: 30 * 86_400_000,
      CASETRAIL_SLA_PENALTY_ISSUED: 60 * 86_400_000,
      CASETRAIL_CLAIM_LEASE: 30 * 60_000,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(queueBackend(config)).toBe('postgres');
  });

  it('defaults the queue backend to redis when REDIS_URL is set', () => {
    expect(queueBackend(parseConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toBe('redis');
    expect(
      queueBackend(parseConfig({ REDIS_URL: 'redis://127.0.0.1:6379', CASETRAIL_QUEUE_BACKEND: 'postgres' })),
    ).toBe('postgres');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['REDIS_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['CASETRAIL_SLA_RECEIVED', '24 hours'],
    ['CASETRAIL_QUEUE_BACKEND', 'kafka'],
    ['CASETRAIL_HMAC_KEY', 'short'],
    ['CASETRAIL_REDIS_PREFIX', 'has:colon'],
  ])('stops with a message naming %s when it is %j', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrow(new RegExp(`^invalid configuration:\\n  ${name}: `));
  });

  it('requires REDIS_URL when the redis backend is chosen', () => {
    expect(() => parseConfig({ CASETRAIL_QUEUE_BACKEND: 'redis' })).toThrow(
      /REDIS_URL: required when CASETRAIL_QUEUE_BACKEND is redis/,
    );
  });

  it('treats an empty variable as unset', () => {
    const config = parseConfig({ PORT: '', DATABASE_URL: '' });
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('parses durations in ms, s, m, h and d', () => {
    expect([
      parseDuration('500ms'),
      parseDuration('30s'),
      parseDuration('15m'),
      parseDuration('2h'),
      parseDuration('1d'),
    ]).toEqual([500, 30_000, 900_000, 7_200_000, 86_400_000]);
    expect(parseDuration('1w')).toBeNull();
  });
});
