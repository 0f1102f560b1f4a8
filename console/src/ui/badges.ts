import { html, nothing } from 'lit';
import type { Case } from '../core/types.ts';
import type { Catalog } from '../i18n/en.ts';
import type { Formatter } from '../i18n/format.ts';
import { fill } from '../i18n/problems.ts';

export type SlaStatus = { kind: 'none' } | { kind: 'overdue' | 'due-soon' | 'on-time'; deadlineAt: string };

/** Shown as due soon in the last hours before a deadline (a quarter of the received stage's 24 h). */
const DUE_SOON_MS = 6 * 3_600_000;

function slaStatus(c: Pick<Case, 'stage' | 'deadlineAt'>, now = Date.now()): SlaStatus {
  if (c.stage === 'closed' || c.deadlineAt === undefined) return { kind: 'none' };
  const left = Date.parse(c.deadlineAt) - now;
  return { kind: left < 0 ? 'overdue' : left < DUE_SOON_MS ? 'due-soon' : 'on-time', deadlineAt: c.deadlineAt };
}

export function slaBadge(c: Pick<Case, 'stage' | 'deadlineAt'>, t: Catalog, f: Formatter) {
  const status = slaStatus(c);
  if (status.kind === 'none') return html`<span class="muted">${t.sla.none}</span>`;
  const text = fill(t.sla[status.kind], { when: f.relative(status.deadlineAt) });
  return html`<span class="badge badge--sla-${status.kind}" title=${f.dateTime(status.deadlineAt)}>${text}</span>`;
}

export function stageBadge(c: Pick<Case, 'stage' | 'outcome'>, t: Catalog) {
  return html`<span class="badge badge--stage-${c.stage}">${t.stage[c.stage]}</span>${
    c.outcome === null ? nothing : html` <span class="badge badge--outcome">${t.outcome[c.outcome]}</span>`
  }`;
}

export function priorityBadge(priority: Case['priority'], t: Catalog) {
  return html`<span class="badge badge--priority-${priority}">${t.priority[priority]}</span>`;
}

/** The actor of the events casetrail appends on its own (SLA breaches, duplicates): not a user. */
const SYSTEM_ACTOR_ID = 'system';

type WhoContext = { names: { name(id: string): string | undefined }; me: { id: string }; t: Catalog };

export function who(id: string | undefined, ctx: WhoContext) {
  if (id === undefined) return '';
  if (id === SYSTEM_ACTOR_ID) return ctx.t.app.system;
  if (id === ctx.me.id) return ctx.t.app.you;
  return ctx.names.name(id) ?? id.slice(0, 8);
}

/** The roles an actor acted in, named in the catalog's language; null for none (the system). */
export function rolesOf(actor: { roles: readonly string[] }, t: Catalog): string | null {
  if (actor.roles.length === 0) return null;
  return actor.roles.map((role) => (t.role as Record<string, string>)[role] ?? role).join(', ');
}
