import { html } from 'lit';
import { hasRole, type AppContext } from '../core/context.ts';
import type { Route } from '../core/router.ts';
import type { Me } from '../core/types.ts';
import './access-log.page.ts';
import './case.page.ts';
import './cases.page.ts';
import './reports.page.ts';
import './stats.page.ts';
import './submit.page.ts';
import './users.page.ts';
import './user.page.ts';
import './workload.page.ts';
import './worklist.page.ts';

const NO_FILTERS = new URLSearchParams();
const CASE_ROLES: Me['roles'] = ['clerk', 'verifier', 'supervisor'];

/** Who may open each page; the API checks again, this only keeps the console honest. */
const PAGE_ROLES: Record<Route['page'], Me['roles']> = {
  home: ['clerk', 'verifier', 'supervisor', 'admin'],
  submit: ['clerk'],
  cases: CASE_ROLES,
  worklist: ['verifier', 'supervisor'],
  case: CASE_ROLES,
  'access-log': ['supervisor'],
  stats: ['supervisor'],
  workload: ['supervisor'],
  users: ['admin'],
  user: ['admin'],
  reports: ['supervisor'],
  unknown: ['clerk', 'verifier', 'supervisor', 'admin'],
};

function message(title: string, text: string) {
  return html`<section><h1 tabindex="-1">${title}</h1><p>${text}</p></section>`;
}

function home(ctx: AppContext) {
  if (hasRole(ctx.me, 'verifier') && !hasRole(ctx.me, 'supervisor'))
    return html`<ct-worklist-page .ctx=${ctx}></ct-worklist-page>`;
  if (hasRole(ctx.me, ...CASE_ROLES)) return html`<ct-cases-page .ctx=${ctx} .query=${NO_FILTERS}></ct-cases-page>`;
  return html`<ct-users-page .ctx=${ctx}></ct-users-page>`;
}

export function renderPage(route: Route, ctx: AppContext) {
  if (!hasRole(ctx.me, ...PAGE_ROLES[route.page])) return message(ctx.t.app.notAllowedTitle, ctx.t.app.notAllowed);
  switch (route.page) {
    case 'home':
      return home(ctx);
    case 'submit':
      return html`<ct-submit-page .ctx=${ctx}></ct-submit-page>`;
    case 'cases':
      return html`<ct-cases-page .ctx=${ctx} .query=${route.query}></ct-cases-page>`;
    case 'worklist':
      return html`<ct-worklist-page .ctx=${ctx}></ct-worklist-page>`;
    case 'case':
      return html`<ct-case-page .ctx=${ctx} .caseId=${route.id} .asOf=${route.asOf}></ct-case-page>`;
    case 'access-log':
      return html`<ct-access-log-page .ctx=${ctx} .query=${route.query}></ct-access-log-page>`;
    case 'stats':
      return html`<ct-stats-page .ctx=${ctx}></ct-stats-page>`;
    case 'workload':
      return html`<ct-workload-page .ctx=${ctx}></ct-workload-page>`;
    case 'users':
      return html`<ct-users-page .ctx=${ctx}></ct-users-page>`;
    case 'user':
      return html`<ct-user-page .ctx=${ctx} .userId=${route.id}></ct-user-page>`;
    case 'reports':
      return html`<ct-reports-page .ctx=${ctx} .query=${route.query}></ct-reports-page>`;
    case 'unknown':
      return message(ctx.t.app.unknownTitle, ctx.t.app.unknown);
  }
}
