import { html, nothing } from 'lit';
import type { AppContext } from '../core/context.ts';
import { href } from '../core/router.ts';
import type { Case } from '../core/types.ts';
import { priorityBadge, slaBadge, stageBadge, who } from './badges.ts';
import { actorIds } from './case-details.ts';

// The case list as a work queue: one line per case with who holds it, the time to its
// deadline and its last change; sortable by column; and saved views of the cases a user
// works on every day. Views and sorting apply to the cases loaded (the list loads more pages
// for a view, see cases.page.ts).

const VIEWS = ['mine', 'overdue', 'unassigned'] as const;
export type View = (typeof VIEWS)[number];
export const isView = (value: string | null): value is View => (VIEWS as readonly (string | null)[]).includes(value);

const SORT_KEYS = ['reference', 'stage', 'priority', 'claimedBy', 'deadline', 'updatedAt'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type Sort = { key: SortKey; descending: boolean };

const liveClaim = (c: Case, now: number) =>
  c.claimedBy !== undefined && c.claimedUntil !== undefined && Date.parse(c.claimedUntil) > now ? c.claimedBy : null;

/** Whether a case belongs to a saved view: mine (any part I played), overdue, or open and unclaimed. */
export function inView(c: Case, view: View, meId: string, now = Date.now()): boolean {
  switch (view) {
    case 'mine':
      return actorIds(c).includes(meId);
    case 'overdue':
      return c.stage !== 'closed' && c.deadlineAt !== undefined && Date.parse(c.deadlineAt) < now;
    case 'unassigned':
      return c.stage !== 'closed' && liveClaim(c, now) === null;
  }
}

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

function sortValue(c: Case, key: SortKey, name: (id: string) => string): string | number {
  switch (key) {
    case 'reference':
      return c.reference;
    case 'stage':
      return c.stage;
    case 'priority':
      return PRIORITY_RANK[c.priority] ?? 9;
    case 'claimedBy': {
      const holder = liveClaim(c, Date.now());
      return holder === null ? '\uffff' : name(holder);
    }
    case 'deadline':
      return c.stage === 'closed' || c.deadlineAt === undefined ? Number.MAX_SAFE_INTEGER : Date.parse(c.deadlineAt);
    case 'updatedAt':
      return Date.parse(c.updatedAt);
  }
}

function sortCases(items: readonly Case[], sort: Sort | null, name: (id: string) => string): Case[] {
  if (sort === null) return [...items];
  const direction = sort.descending ? -1 : 1;
  return [...items].sort((a, b) => {
    const [x, y] = [sortValue(a, sort.key, name), sortValue(b, sort.key, name)];
    return (x < y ? -1 : x > y ? 1 : 0) * direction;
  });
}

/** The saved views, as links that keep the other filters. */
export function viewLinks(ctx: AppContext, current: View | null, filters: Record<string, string>) {
  const { t } = ctx;
  const link = (view: View | null, label: string) =>
    html`<li><a href=${href.cases({ ...filters, view: view ?? undefined })} aria-current=${view === current ? 'true' : nothing}>${label}</a></li>`;
  return html`<nav class="views" aria-label=${t.queue.viewsLabel}><ul>
    ${link(null, t.queue.all)}${VIEWS.map((view) => link(view, t.queue.view[view]))}
  </ul></nav>`;
}

export function queueTable(ctx: AppContext, items: readonly Case[], sort: Sort | null, onSort: (key: SortKey) => void) {
  const { t, f, me } = ctx;
  const now = Date.now();
  const col = t.queue.col;
  const header = (key: SortKey, label: string) => {
    const active = sort?.key === key;
    const state = active ? (sort.descending ? 'descending' : 'ascending') : 'none';
    return html`<th scope="col" aria-sort=${state}><button type="button" class="sort" data-sort=${key} @click=${() => onSort(key)}>
      ${label}<span aria-hidden="true">${active ? (sort.descending ? ' ▼' : ' ▲') : ''}</span></button></th>`;
  };
  const name = (id: string) => String(who(id, ctx));
  return html`<table class="cases queue">
    <caption class="visually-hidden">${t.casesPage.caption}</caption>
    <thead><tr>${header('reference', col.reference)}<th scope="col">${col.claim}</th>${header('stage', col.stage)}
      ${header('priority', col.priority)}${header('claimedBy', col.claimedBy)}${header('deadline', col.deadline)}${header('updatedAt', col.updatedAt)}</tr></thead>
    <tbody>${sortCases(items, sort, name).map((c) => {
      const holder = liveClaim(c, now);
      return html`<tr>
        <th scope="row" data-label=${col.reference}><a href=${href.case(c.id)}>${c.reference}</a></th>
        <td data-label=${col.claim} class="claim-cell"><span class="clamp" title=${c.claim}>${c.claim}</span></td>
        <td data-label=${col.stage}>${stageBadge(c, t)}</td>
        <td data-label=${col.priority}>${priorityBadge(c.priority, t)}</td>
        <td data-label=${col.claimedBy} data-claimed-by>${holder === null ? html`<span class="muted">${t.queue.nobody}</span>` : holder === me.id ? t.app.you : name(holder)}</td>
        <td data-label=${col.deadline}>${slaBadge(c, t, f)}</td>
        <td data-label=${col.updatedAt}><time datetime=${c.updatedAt} title=${f.dateTime(c.updatedAt)}>${f.relative(c.updatedAt)}</time></td>
      </tr>`;
    })}</tbody>
  </table>`;
}
