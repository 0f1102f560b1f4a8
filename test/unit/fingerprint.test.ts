import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentHash, fingerprint, normalizeContent, normalizeUrl } from '../../src/domain/index.ts';

describe('normalizeUrl', () => {
  it.each([
    [
      'lower-cases scheme and host, not the path',
      'HTTPS://WWW.Example.VN/Groups/ABC',
      'https://www.example.vn/Groups/ABC',
    ],
    ['drops the fragment', 'https://example.vn/tin/1#comments', 'https://example.vn/tin/1'],
    [
      'drops every utm_ parameter',
      'https://example.vn/a?utm_source=fb&UTM_Medium=social&utm_x=1',
      'https://example.vn/a',
    ],
    [
      'drops fbclid, gclid, si, igshid, mc_cid, ref_src',
      'https://example.vn/a?fbclid=Iw1&gclid=Cj0&si=x9&igshid=q&mc_cid=1&mc_eid=2&ref_src=twsrc',
      'https://example.vn/a',
    ],
    ['drops the Zalo share tracker', 'https://zalo.me/s/123?zarsrc=30', 'https://zalo.me/s/123'],
    [
      'keeps other parameters in their order and encoding',
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ&si=abc&t=42&q=a%20b',
      'https://youtube.com/watch?v=dQw4w9WgXcQ&t=42&q=a%20b',
    ],
    [
      'keeps a parameter that only contains a tracking name',
      'https://example.vn/a?side=1&utmx=2',
      'https://example.vn/a?side=1&utmx=2',
    ],
    ['trims the trailing slash of the path', 'https://example.vn/tin/1/', 'https://example.vn/tin/1'],
    ['trims several trailing slashes', 'https://example.vn/tin//', 'https://example.vn/tin'],
    ['writes the root without a slash', 'https://example.vn/', 'https://example.vn'],
    ['writes the root without a slash when there is a query', 'https://example.vn/?p=2', 'https://example.vn?p=2'],
    ['drops the default https port', 'https://example.vn:443/a', 'https://example.vn/a'],
    ['drops the default http port', 'http://example.vn:80/a', 'http://example.vn/a'],
    ['keeps another port', 'https://example.vn:8443/a', 'https://example.vn:8443/a'],
    ['keeps www', 'https://www.example.vn/a', 'https://www.example.vn/a'],
    [
      'drops the query mark when every parameter is tracking',
      'https://example.vn/a?utm_source=x#top',
      'https://example.vn/a',
    ],
    ['drops empty parameter pieces', 'https://example.vn/a?x=1&&y=2&', 'https://example.vn/a?x=1&y=2'],
  ])('%s', (_name, input, expected) => {
    expect(normalizeUrl(input)).toBe(expected);
  });

  it('gives every share of one post the same normalized URL', () => {
    const shares = [
      'https://www.facebook.com/groups/123/posts/456/?fbclid=IwAR0xyz&mibextid=Nif5oz',
      'HTTPS://WWW.FACEBOOK.COM/groups/123/posts/456#comment-9',
      'https://www.facebook.com:443/groups/123/posts/456?utm_source=zalo&utm_medium=share',
    ];
    expect(new Set(shares.map(normalizeUrl))).toEqual(new Set(['https://facebook.com/groups/123/posts/456']));
  });
});

describe('fingerprint', () => {
  it('is the SHA-256 of the normalized URL', () => {
    const expected = createHash('sha256').update('https://facebook.com/groups/123/posts/456').digest('hex');
    expect(fingerprint('https://WWW.facebook.com/groups/123/posts/456/?utm_source=x')).toBe(expected);
  });
});

describe('contentHash', () => {
  it('normalizes to NFC, trims and collapses whitespace before hashing', () => {
    const decomposed = '  Tin gia\u0309  về\n\tvắc-xin \u00a0 ';
    expect(normalizeContent(decomposed)).toBe('Tin giả về vắc-xin');
    expect(contentHash(decomposed)).toBe(createHash('sha256').update('Tin giả về vắc-xin', 'utf8').digest('hex'));
  });

  it('keeps case and punctuation: different text is different content', () => {
    expect(contentHash('Tin giả!')).not.toBe(contentHash('tin giả'));
  });
});
