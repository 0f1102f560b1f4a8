// The item key (fingerprint): every way of writing one item's URL gives one key, whatever
// platform the report declared.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COMMANDS, fingerprint, normalizeUrl } from '../../src/domain/index.ts';
import { CLERK_2, createWorld, submitBody } from './domain-world.ts';

const POST = 'https://facebook.com/groups/hoi-nhom/posts/555';

describe('normalizeUrl folds what does not change the item', () => {
  it.each([
    ['percent-encoded unreserved characters', 'https://www.facebook.com/groups/hoi-nhom/posts/55%35', POST],
    ['encoded letters, dash, dot, underscore and tilde', 'https://facebook.com/%67roups/hoi%2Dnhom/posts/555', POST],
    ['user information', 'https://x@www.facebook.com/groups/hoi-nhom/posts/555', POST],
    ['a trailing dot of the host', 'https://www.facebook.com./groups/hoi-nhom/posts/555', POST],
    ['empty segments', 'https://www.facebook.com//groups//hoi-nhom/posts/555/', POST],
    ['www.', 'https://www.facebook.com/groups/hoi-nhom/posts/555', POST],
    ['m.', 'https://m.facebook.com/groups/hoi-nhom/posts/555', POST],
    ['mobile. and web.', 'https://mobile.facebook.com/groups/hoi-nhom/posts/555', POST],
    ['http on a platform host', 'http://web.facebook.com/groups/hoi-nhom/posts/555', POST],
    ['fb.com', 'https://fb.com/groups/hoi-nhom/posts/555', POST],
    ['twitter.com for x.com', 'https://mobile.twitter.com/user/status/1', 'https://x.com/user/status/1'],
    ['www.tiktok.com', 'https://www.tiktok.com/@user/video/7', 'https://tiktok.com/@user/video/7'],
    ['m.youtube.com', 'https://m.youtube.com/watch?v=abc&si=x', 'https://youtube.com/watch?v=abc'],
    ['youtu.be', 'https://youtu.be/abc?t=42', 'https://youtube.com/watch?v=abc&t=42'],
    ['www.zalo.me', 'https://www.zalo.me/s/123', 'https://zalo.me/s/123'],
    ['lower-case percent-encodings', 'https://example.vn/a%c3%a9', 'https://example.vn/a%C3%A9'],
  ])('%s', (_what, input, expected) => {
    expect(normalizeUrl(input)).toBe(expected);
  });

  it('keeps what can change the item: another site, its www, a reserved character encoded', () => {
    expect(normalizeUrl('https://www.example.vn/a')).toBe('https://www.example.vn/a');
    expect(normalizeUrl('https://example.vn.evil.com/a')).toBe('https://example.vn.evil.com/a');
    expect(normalizeUrl('https://example.vn/a%2Fb')).toBe('https://example.vn/a%2Fb');
    expect(normalizeUrl('https://notfacebook.com/a')).toBe('https://notfacebook.com/a');
  });
});

describe('fingerprint', () => {
  it('is the SHA-256 of the normalized URL, whatever platform was declared', () => {
    expect(fingerprint('https://WWW.facebook.com/groups/hoi-nhom/posts/555/?utm_source=x')).toBe(
      createHash('sha256').update(POST).digest('hex'),
    );
  });
});

describe('duplicate detection', () => {
  it.each([
    'https://www.facebook.com/groups/hoi-nhom/posts/55%35',
    'https://www.facebook.com./groups/hoi-nhom/posts/555',
    'https://www.facebook.com//groups/hoi-nhom/posts/555',
    'https://m.facebook.com/groups/hoi-nhom/posts/555',
  ])('merges a report of %s into the open case of the same post', (url) => {
    const world = createWorld();
    const original = world.submit(submitBody({ url: POST, content: 'first' }));
    const body = submitBody({ url, content: 'second' });
    const dup = world.submit({ ...body, item: { ...body.item, platform: 'website' } }, CLERK_2);
    expect(world.state(dup)).toMatchObject({ stage: 'closed', outcome: 'duplicate', duplicateOf: original });
  });

  it('refuses an item URL with user information at the API', () => {
    const body = submitBody({ url: 'https://x@www.facebook.com/groups/hoi-nhom/posts/555' });
    const parsed = COMMANDS.submit.request.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['item.url']);
  });
});
