import { describe, expect, it } from 'vitest';
import { parseConfig, queueBackend } from '../../src/infra/config/config.ts';
import { redisTarget } from '../../src/infra/queue/redis-connection.ts';

describe('Redis Cluster configuration (CASETRAIL_REDIS_CLUSTER_NODES)', () => {
  it('takes host:port entries and URLs, separated by commas, as seed node URLs', () => {
    const config = parseConfig({
      CASETRAIL_REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis://10.0.0.2:7001 ,rediss://:s3cret@cache.example:6380',
    });
    expect(config.CASETRAIL_REDIS_CLUSTER_NODES).toEqual([
      'redis://10.0.0.1:7000',
      'redis://10.0.0.2:7001',
      'rediss://:s3cret@cache.example:6380',
    ]);
  });

  it('selects the redis queue backend, as REDIS_URL does', () => {
    expect(queueBackend(parseConfig({ CASETRAIL_REDIS_CLUSTER_NODES: '127.0.0.1:7000' }))).toBe('redis');
    expect(
      parseConfig({ CASETRAIL_QUEUE_BACKEND: 'redis', CASETRAIL_REDIS_CLUSTER_NODES: '127.0.0.1:7000' }).REDIS_URL,
    ).toBeUndefined();
  });

  it.each([
    ['127.0.0.1', '"127.0.0.1" is not host:port or a redis:// URL with a port'],
    ['http://127.0.0.1:7000', '"http://127.0.0.1:7000" is not host:port or a redis:// URL with a port'],
    [' , ', 'expected at least one host:port'],
  ])('rejects %j naming the variable', (value, message) => {
    expect(() => parseConfig({ CASETRAIL_REDIS_CLUSTER_NODES: value })).toThrow(
      `CASETRAIL_REDIS_CLUSTER_NODES: ${message}`,
    );
  });

  it('never echoes the password of a malformed entry', () => {
    expect(() => parseConfig({ CASETRAIL_REDIS_CLUSTER_NODES: 'ftp://user:hunter2@host:1' })).toThrow(
      '"ftp://***@host:1"',
    );
  });

  it('refuses REDIS_URL and cluster nodes together', () => {
    expect(() =>
      parseConfig({ REDIS_URL: 'redis://127.0.0.1:6379', CASETRAIL_REDIS_CLUSTER_NODES: '127.0.0.1:7000' }),
    ).toThrow(
      'CASETRAIL_REDIS_CLUSTER_NODES: set either REDIS_URL (one server) or CASETRAIL_REDIS_CLUSTER_NODES (a cluster), not both',
    );
  });

  it('makes a cluster target of the nodes, and a single-server target of REDIS_URL', () => {
    expect(redisTarget({ redisClusterNodes: ['redis://127.0.0.1:7000'] })).toEqual({
      kind: 'cluster',
      nodes: ['redis://127.0.0.1:7000'],
    });
    expect(redisTarget({ redisUrl: 'redis://127.0.0.1:6379' })).toEqual({
      kind: 'single',
      url: 'redis://127.0.0.1:6379',
    });
    expect(() => redisTarget({})).toThrow('the redis queue backend needs REDIS_URL or CASETRAIL_REDIS_CLUSTER_NODES');
  });
});
