// Hash routes: the server serves one page, and nothing secret ever enters a URL (the token
// lives in session storage). Filters and the time-travel moment are in the hash query.

export type Route =
  | { page: 'home' }
  | { page: 'submit' }
  | { page: 'cases'; query: URLSearchParams }
  | { page: 'worklist' }
  | { page: 'case'; id: string; asOf: string | null }
  | { page: 'access-log'; query: URLSearchParams }
  | { page: 'stats' }
  | { page: 'workload' }
  | { page: 'users' }
  | { page: 'user'; id: string }
  | { page: 'reports'; query: URLSearchParams }
  | { page: 'unknown' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/u, '').split('?');
  const query = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean);
  const [first, second] = parts;
  if (parts.length === 0) return { page: 'home' };
  if (parts.length === 1 && first === 'submit') return { page: 'submit' };
  if (parts.length === 1 && first === 'cases') return { page: 'cases', query };
  if (parts.length === 1 && first === 'worklist') return { page: 'worklist' };
  if (parts.length === 1 && first === 'access-log') return { page: 'access-log', query };
  if (parts.length === 1 && first === 'stats') return { page: 'stats' };
  if (parts.length === 1 && first === 'workload') return { page: 'workload' };
  if (parts.length === 1 && first === 'users') return { page: 'users' };
  if (parts.length === 2 && first === 'users' && second !== undefined && UUID.test(second)) {
    return { page: 'user', id: second.toLowerCase() };
  }
  if (parts.length === 1 && first === 'reports') return { page: 'reports', query };
  if (parts.length === 2 && first === 'cases' && second !== undefined && UUID.test(second)) {
    const asOf = query.get('asOf');
    return {
      page: 'case',
      id: second.toLowerCase(),
      asOf: asOf !== null && !Number.isNaN(Date.parse(asOf)) ? asOf : null,
    };
  }
  return { page: 'unknown' };
}

export const href = {
  home: () => '#/',
  submit: () => '#/submit',
  cases: (query: Record<string, string | undefined> = {}) => withQuery('#/cases', query),
  worklist: () => '#/worklist',
  case: (id: string, asOf?: string) => withQuery(`#/cases/${id}`, { asOf }),
  accessLog: (query: Record<string, string | undefined> = {}) => withQuery('#/access-log', query),
  stats: () => '#/stats',
  workload: () => '#/workload',
  users: () => '#/users',
  user: (id: string) => `#/users/${id}`,
  reports: (query: Record<string, string | undefined> = {}) => withQuery('#/reports', query),
};

function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, value);
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}
