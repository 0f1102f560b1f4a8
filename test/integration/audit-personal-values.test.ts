import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../../src/app/verify-trail.ts';
import {
  canonicalJson,
  contentHash,
  eventEnvelope,
  fingerprint,
  intakeKeys,
  normalizeContent,
  normalizeUrl,
  PERSONAL_FIELDS,
  verifyBundle,
  type Bundle,
} from '../../src/domain/index.ts';
import { rowToEvent, type EventRow } from '../../src/infra/db/case.repository.ts';
import { auditKeys, json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { tablesHolding } from '../support/tables-holding.ts';
import { AUTHORITY, penaltyBody, submitBody } from '../support/fixtures.ts';

// Format 2 payloads (docs/audit-format.md, "Personal data and keyed digests"): URLs and free
// text live in the personal-data store, the trail holds salted keyed references, and the
// item and content keys are keyed, so erasure leaves nothing a guess could be checked against.

let db: TestDatabase;
let api: ApiHarness;
const keys = auditKeys();
let clerk: TestUser;
let verifier: TestUser;
let supervisor: TestUser;
let supervisor2: TestUser;
let admin: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db, { audit: keys });
  [clerk, verifier, supervisor, supervisor2, admin] = await Promise.all([
    api.user(['clerk']),
    api.user(['verifier']),
    api.user(['supervisor']),
    api.user(['supervisor']),
    api.user(['admin']),
  ]);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const get = (user: TestUser, url: string) => api.app.inject({ method: 'GET', url, headers: user.auth });

async function run(user: TestUser, url: string, payload: unknown = {}): Promise<string> {
  const response = await api.app.inject({ method: 'POST', url, headers: user.auth, payload: payload as object });
  expect(response.statusCode, `${url} ${response.body}`).toBeLessThan(300);
  await api.applyPending();
  return json<{ caseId: string }>(response).caseId;
}

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Every plain SHA-256 a guesser could compute from a value: of the text itself and of the forms casetrail hashes. */
function plainDigests(values: Record<string, string>): Set<string> {
  const digests = new Set<string>();
  for (const value of Object.values(values)) {
    digests.add(sha(value));
    digests.add(sha(value.trim()));
    digests.add(sha(normalizeContent(value)));
    digests.add(contentHash(value));
    if (value.startsWith('https://')) {
      digests.add(sha(normalizeUrl(value)));
      digests.add(fingerprint(value));
      for (const key of intakeKeys('facebook', value)) digests.add(key);
    }
  }
  return digests;
}

const HEX64 = /[0-9a-f]{64}/gu;

/** A case whose every URL and free text is a string found nowhere else. */
function personalValues(tag: string) {
  return {
    url: `https://www.facebook.com/groups/ct${tag}/posts/${tag}01`,
    content: `Bài riêng tư ${tag}: tỏi sống chữa khỏi tiểu đường`,
    handle: `le.van.${tag}`,
    name: `Lê Văn ${tag}`,
    claim: `Raw garlic cures diabetes (${tag})`,
    reporterRef: `TIP-${tag}`,
    rationale: `Rationale ${tag}: no trial supports it`,
    evidenceUrl: `https://evidence.example.vn/${tag}/advisory`,
    evidenceDescription: `Advisory ${tag} of the ministry`,
    note: `Note ${tag}: called the reporter at home`,
    addedUrl: `https://web.archive.org/web/2026/${tag}`,
    addedDescription: `Archive ${tag} of the post`,
    referralNote: `Referral note ${tag}: the account owner lives in Hà Đông`,
    facts: `Facts ${tag}: the post reached 9,000 shares`,
    grounds: `Grounds ${tag}: a first offence`,
    decisionNote: `Decision note ${tag}: the fine stands`,
  };
}

async function submit(values: {
  url: string;
  content: string;
  handle?: string;
  name?: string;
  claim?: string;
  reporterRef?: string;
}) {
  const base = submitBody({ url: values.url, content: values.content });
  const body = {
    ...base,
    item: {
      ...base.item,
      ...(values.handle === undefined ? {} : { accountHandle: values.handle }),
      ...(values.name === undefined ? {} : { accountName: values.name }),
    },
    report: { ...base.report, ...(values.reporterRef === undefined ? {} : { reporterRef: values.reporterRef }) },
    ...(values.claim === undefined ? {} : { claim: values.claim }),
  };
  return run(clerk, '/v1/cases', body);
}

/** The canonical envelope of every event of the trail: exactly what the event hashes are computed from. */
async function envelopes(): Promise<{ type: string; hash: string; text: string }[]> {
  const { rows } = await db.pool.query<EventRow>('SELECT * FROM events ORDER BY id');
  return rows.map(rowToEvent).map((e) => ({ type: e.type, hash: e.hash, text: canonicalJson(eventEnvelope(e)) }));
}

describe('personal data out of the hashed payloads (format 2)', () => {
  it('keeps every URL and free text out of the trail, shows them to readers, and after erasure leaves no hash a guess can be checked against', async () => {
    const v = personalValues(Math.random().toString(36).slice(2, 8));
    const caseId = await submit(v);
    await run(clerk, `/v1/cases/${caseId}/notes`, { text: v.note });
    await run(verifier, `/v1/cases/${caseId}/claim`, {});
    await run(verifier, `/v1/cases/${caseId}/verify`, {
      verdict: 'false',
      rationale: v.rationale,
      evidence: [{ kind: 'url', url: v.evidenceUrl, description: v.evidenceDescription }],
    });
    await run(supervisor, `/v1/cases/${caseId}/evidence`, {
      kind: 'archive',
      url: v.addedUrl,
      description: v.addedDescription,
    });
    await run(supervisor, `/v1/cases/${caseId}/refer`, { authority: AUTHORITY, note: v.referralNote });
    await run(supervisor2, `/v1/cases/${caseId}/penalty`, {
      ...penaltyBody({ decisionNo: `QD-PV-${caseId.slice(0, 8)}` }),
      subject: { accountHandle: v.handle, name: v.name },
      facts: v.facts,
    });
    await run(supervisor, `/v1/cases/${caseId}/appeal`, { filedAt: new Date().toISOString(), grounds: v.grounds });
    await run(supervisor, `/v1/cases/${caseId}/appeal-decision`, { decision: 'upheld', note: v.decisionNote });

    // The same item (its URL written another way) merges as a duplicate; the same content elsewhere is linked.
    const duplicate = await submit({ url: `${v.url}/?fbclid=abc`, content: 'other words' });
    const related = await submit({ url: `https://example.vn/mirror/${caseId}`, content: `  ${v.content} ` });

    const before = await get(supervisor, `/v1/cases/${caseId}`);
    const shown = json<Record<string, unknown>>(before);
    expect(shown).toMatchObject({
      claim: v.claim,
      item: { url: v.url, content: v.content, accountHandle: v.handle },
      report: { reporterRef: v.reporterRef },
      verdict: { rationale: v.rationale, evidence: [{ url: v.evidenceUrl, description: v.evidenceDescription }] },
      referral: { note: v.referralNote },
      penalty: { facts: v.facts, subject: { accountHandle: v.handle, name: v.name } },
      appeal: { grounds: v.grounds, note: v.decisionNote },
      relatedCases: [related],
    });
    expect(json<{ duplicateOf: string }>(await get(supervisor, `/v1/cases/${duplicate}`)).duplicateOf).toBe(caseId);
    const shownEvents = (await get(supervisor, `/v1/cases/${caseId}/events`)).body;
    for (const value of [v.note, v.addedUrl, v.addedDescription]) expect(shownEvents).toContain(value);

    // The trail holds none of it, not even before erasure: only references, with v: 2.
    const erased = Object.values(v);
    for (const e of await envelopes()) {
      for (const value of erased) expect(e.text, `${e.type} holds ${value}`).not.toContain(value);
    }
    const { rows: received } = await db.pool.query<{ payload: Record<string, unknown> }>(
      "SELECT payload FROM events WHERE case_id = $1 AND type = 'case.received'",
      [caseId],
    );
    expect(received[0]?.payload).toMatchObject({
      v: 2,
      claim: expect.stringMatching(/^pd:[0-9a-f]{64}$/u),
      item: { url: expect.stringMatching(/^pd:[0-9a-f]{64}$/u) },
    });

    const response = await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/personal-data/erase`,
      headers: admin.auth,
      payload: { reason: 'Retention period over' },
    });
    // Every personal field but the files' (this case has none).
    expect(json<{ erased: string[] }>(response).erased).toEqual(PERSONAL_FIELDS.filter((f) => !f.startsWith('file')));

    // No hash anywhere in the trail (event hashes, their inputs, checkpoints, the bundle)
    // is a plain SHA-256 of an erased value, nor of the forms casetrail hashes.
    const guesses = plainDigests(v);
    const trail = await envelopes();
    const { rows: checkpoints } = await db.pool.query('SELECT * FROM checkpoints');
    const bundle = await get(supervisor, `/v1/cases/${caseId}/export`);
    const texts = [...trail.flatMap((e) => [e.text, e.hash]), JSON.stringify(checkpoints), bundle.body];
    for (const text of texts) {
      for (const hex of text.match(HEX64) ?? []) expect(guesses.has(hex), `${hex} is a plain digest`).toBe(false);
      for (const value of erased) expect(text).not.toContain(value);
    }

    // Gone from every read (the other reports keep their own values), and the trail still verifies.
    const listed = json<{ items: { id: string }[] }>(await get(supervisor, '/v1/cases?limit=200')).items;
    for (const answer of [
      (await get(supervisor, `/v1/cases/${caseId}`)).body,
      (await get(supervisor, `/v1/cases/${caseId}/events`)).body,
      JSON.stringify(listed.find((c) => c.id === caseId)),
      bundle.body,
    ]) {
      for (const value of erased) expect(answer).not.toContain(value);
    }
    // Nor left in any table (the store, the stored commands, the queues), but in the other
    // reports of the same item or content, which keep their own copies of the URL and content.
    for (const value of erased) {
      const own = value === v.url || value === v.content;
      if (!own) expect(await tablesHolding(db.pool, value), value).toEqual([]);
    }
    const { rows: left } = await db.pool.query(
      `SELECT 'value' FROM case_personal_values WHERE case_id = $1
       UNION ALL SELECT 'command' FROM commands WHERE case_id = $1 AND payload::text LIKE '%' || $2 || '%'`,
      [caseId, v.url],
    );
    expect(left).toEqual([]);
    expect(verifyBundle(json<Bundle>(bundle))).toMatchObject({ ok: true, caseId });
    expect(await verifyTrail({ pool: db.pool, publicKey: keys.publicKey })).toMatchObject({ ok: true, failures: [] });

    // The keyed item key outlives erasure: a new report of the item still merges into the case.
    const later = await submit({ url: v.url, content: 'reported again' });
    expect(json<{ duplicateOf: string; outcome: string }>(await get(supervisor, `/v1/cases/${later}`))).toMatchObject({
      duplicateOf: caseId,
      outcome: 'duplicate',
    });
    expect(json<{ version: number }>(await get(supervisor, `/v1/cases/${caseId}`)).version).toBeGreaterThan(
      json<{ version: number }>(before).version,
    );
  });

  it('redacts one value by its reference: gone from the store, the commands and every read, the rest kept, the trail valid', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const caseId = await submit({ url: `https://example.vn/redact/${tag}`, content: `Nội dung ${tag}` });
    const secret = `Số điện thoại của người báo tin ${tag}: 0912 345 678`;
    await run(clerk, `/v1/cases/${caseId}/notes`, { text: secret });
    await run(clerk, `/v1/cases/${caseId}/notes`, { text: `Kept note ${tag}` });
    const events = json<{ items: { seq: number; type: string }[] }>(
      await get(supervisor, `/v1/cases/${caseId}/events`),
    );
    expect(events.items.map((e) => e.type)).toEqual(['case.received', 'case.note_added', 'case.note_added']);
    const { rows } = await db.pool.query<{ payload: { text: string } }>(
      'SELECT payload FROM events WHERE case_id = $1 AND seq = 2',
      [caseId],
    );
    const reference = rows[0]?.payload.text as string;

    const refused = await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/personal-data/erase`,
      headers: admin.auth,
      payload: { reason: 'x', references: ['pd:NOT-HEX'] },
    });
    expect(json(refused)).toMatchObject({ code: 'validation_failed', errors: [{ path: 'references.0' }] });

    const response = await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/personal-data/erase`,
      headers: admin.auth,
      payload: { reason: "The reporter's phone number, written by mistake", references: [reference] },
    });
    expect(json(response)).toMatchObject({ erased: ['text'], event: { seq: 4 } });
    const { rows: erasure } = await db.pool.query('SELECT payload FROM events WHERE case_id = $1 AND seq = 4', [
      caseId,
    ]);
    expect(erasure[0]?.payload).toEqual({
      fields: ['text'],
      reason: "The reporter's phone number, written by mistake",
      references: [reference],
    });

    expect(await tablesHolding(db.pool, secret)).toEqual([]);
    const shown = (await get(supervisor, `/v1/cases/${caseId}/events`)).body;
    expect(shown).not.toContain(secret);
    expect(shown).toContain(reference);
    expect(shown).toContain(`Kept note ${tag}`);
    expect(json(await get(supervisor, `/v1/cases/${caseId}`))).toMatchObject({
      item: { url: `https://example.vn/redact/${tag}`, content: `Nội dung ${tag}` },
    });
    for (const e of await envelopes()) expect(e.text).not.toContain(sha(secret));
    expect(await verifyTrail({ pool: db.pool, publicKey: keys.publicKey })).toMatchObject({ ok: true, failures: [] });
    // Nothing left to redact: nothing is appended.
    const again = await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/personal-data/erase`,
      headers: admin.auth,
      payload: { reason: 'again', references: [reference] },
    });
    expect(json(again)).toMatchObject({ erased: [], event: null });
  });

  it('still finds cases stored under the plain keys of format 1: the same item merges, the same content links', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const url = `https://example.vn/format1/${tag}`;
    const content = `Format 1 content ${tag}`;
    const original = await submit({ url, content });
    const other = await submit({ url: `https://example.vn/format1-other/${tag}`, content: `Other ${tag}` });
    // As cases received before format 2 are stored: under the plain SHA-256 keys.
    await db.pool.query('UPDATE cases SET fingerprint = $2, content_hash = $3 WHERE id = $1', [
      original,
      fingerprint(url),
      contentHash(content),
    ]);
    await db.pool.query('UPDATE cases SET content_hash = $2 WHERE id = $1', [other, contentHash(content)]);
    const duplicate = await submit({ url: `${url}?utm_source=zalo`, content: 'whatever' });
    expect(json<{ duplicateOf: string }>(await get(supervisor, `/v1/cases/${duplicate}`)).duplicateOf).toBe(original);
    const related = await submit({ url: `https://example.vn/format1-third/${tag}`, content });
    expect(json<{ relatedCases: string[] }>(await get(supervisor, `/v1/cases/${related}`)).relatedCases).toEqual([
      original,
      other,
    ]);
  });

  it('finds a case by its URL or claim kept in the store, and no longer once they are erased', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const caseId = await submit({
      url: `https://example.vn/search/${tag}`,
      content: `Search ${tag}`,
      claim: `Claim zq${tag}`,
    });
    const search = async (q: string) =>
      json<{ items: { id: string }[] }>(await get(supervisor, `/v1/cases?q=${encodeURIComponent(q)}`)).items.map(
        (c) => c.id,
      );
    expect(await search(`zq${tag}`)).toEqual([caseId]);
    expect(await search(`/search/${tag}`)).toEqual([caseId]);
    await api.app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/personal-data/erase`,
      headers: admin.auth,
      payload: { reason: 'retention' },
    });
    expect(await search(`zq${tag}`)).toEqual([]);
    expect(await search(`/search/${tag}`)).toEqual([]);
  });

  it('shows a stored value only while it matches the reference the trail holds', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const caseId = await submit({
      url: `https://example.vn/tamper/${tag}`,
      content: `Tamper ${tag}`,
      claim: `Claim ${tag}`,
    });
    expect(json<{ claim: string }>(await get(supervisor, `/v1/cases/${caseId}`)).claim).toBe(`Claim ${tag}`);
    await db.pool.query(
      "UPDATE case_personal_values SET value = 'A claim nobody made' WHERE case_id = $1 AND field = 'claim'",
      [caseId],
    );
    const shown = json<{ claim: string; item: { url: string } }>(await get(supervisor, `/v1/cases/${caseId}`));
    expect(shown.claim).toMatch(/^pd:[0-9a-f]{64}$/u);
    expect(shown.item.url).toBe(`https://example.vn/tamper/${tag}`);
  });
});
