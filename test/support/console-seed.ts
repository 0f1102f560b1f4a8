// A few cases in several stages, made through the API, so that the console's lists, worklist
// and statistics (and their screenshots) show what a working system looks like.
import { randomUUID } from 'node:crypto';
import { AUTHORITY, submitBody, verifyBody } from './fixtures.ts';

type Seed = {
  claim: string;
  category: string;
  platform: string;
  priority: string;
  until: 'received' | 'verified' | 'referred' | 'dismissed';
};

const SEEDS: Seed[] = [
  {
    claim: 'The Cầu Giấy overpass collapsed this morning',
    category: 'safety',
    platform: 'tiktok',
    priority: 'urgent',
    until: 'received',
  },
  {
    claim: 'The State Bank pays 5 million đồng to everyone who registers through this link',
    category: 'scam',
    platform: 'zalo',
    priority: 'high',
    until: 'received',
  },
  {
    claim: 'Flood water will reach three metres in Huế tonight',
    category: 'disaster',
    platform: 'facebook',
    priority: 'normal',
    until: 'received',
  },
  {
    claim: 'Petrol will cost 40,000 đồng a litre from Monday',
    category: 'economy',
    platform: 'youtube',
    priority: 'normal',
    until: 'verified',
  },
  {
    claim: 'The new measles vaccine causes infertility',
    category: 'health',
    platform: 'facebook',
    priority: 'high',
    until: 'referred',
  },
  {
    claim: 'Schools in Hà Nội close for a month from tomorrow',
    category: 'public_order',
    platform: 'website',
    priority: 'low',
    until: 'dismissed',
  },
];

export async function seedCases(
  baseUrl: string,
  token: { clerk: string; verifier: string; supervisor: string },
): Promise<void> {
  const post = async (path: string, who: string, body: unknown) => {
    const response = await fetch(`${baseUrl}${path}?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${who}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { id?: string };
    if (response.status !== 200 && response.status !== 201)
      throw new Error(`seeding ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  for (const seed of SEEDS) {
    const base = submitBody({
      url: `https://example.vn/${seed.platform}/${randomUUID()}`,
      content: `${seed.claim} (${randomUUID()})`,
      priority: seed.priority,
    });
    const body = {
      ...base,
      item: { ...base.item, platform: seed.platform },
      claim: seed.claim,
      category: seed.category,
    };
    const { id } = await post('/v1/cases', token.clerk, body);
    if (seed.until === 'received') continue;
    await post(`/v1/cases/${id}/claim`, token.verifier, {});
    await post(
      `/v1/cases/${id}/verify`,
      token.verifier,
      seed.until === 'dismissed' ? verifyBody('accurate', []) : verifyBody(),
    );
    if (seed.until === 'referred') await post(`/v1/cases/${id}/refer`, token.supervisor, { authority: AUTHORITY });
  }
}
