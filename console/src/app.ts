import { LitElement, html, nothing } from 'lit';
import { ApiProblem, createApiClient, type ApiClient } from './core/api-client.ts';
import { hasRole, type AppContext } from './core/context.ts';
import { createNameDirectory, type NameDirectory } from './core/names.ts';
import { loadLocale, loadTimeZone, saveLocale, saveTimeZone, timeZoneChoices, tokenStore } from './core/preferences.ts';
import { href, parseRoute, type Route } from './core/router.ts';
import type { Me } from './core/types.ts';
import { catalogs } from './i18n/catalogs.ts';
import { createFormatter } from './i18n/format.ts';
import { LOCALES, type Locale } from './i18n/locale.ts';
import { renderPage } from './pages/pages.ts';
import { followHeadingInTitle } from './ui/page-title.ts';
import './pages/sign-in.page.ts';

type NavItem = { page: Route['page']; roles: Me['roles']; href: string; label: string };

/** The shell: session, language, time zone, navigation by role, and the page of the route. */
export class ConsoleApp extends LitElement {
  private token = tokenStore.get();
  private me: Me | null = null;
  private locale: Locale = loadLocale();
  private timeZone = loadTimeZone();
  private route: Route = parseRoute(location.hash);
  private booting = this.token !== null;
  private sessionEnded = false;
  private live = '';
  private client: ApiClient = createApiClient({ token: () => this.token, onUnauthenticated: () => this.signOut(true) });
  private names: NameDirectory = createNameDirectory(this.client);
  private ctx: AppContext | null = null;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
    document.documentElement.lang = this.locale;
    if (this.token !== null) void this.loadMe();
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHashChange);
    super.disconnectedCallback();
  }

  private onHashChange = () => {
    this.route = parseRoute(location.hash);
    // A confirmation belongs to the page it was made on, or to the one its action opens.
    if (this.liveForNextPage) this.liveForNextPage = false;
    else this.clearLive();
    this.requestUpdate();
    void this.updateComplete.then(() => this.querySelector<HTMLElement>('main h1')?.focus());
  };

  private async loadMe(): Promise<void> {
    try {
      this.me = await this.client.get<Me>('/v1/me');
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      if (error.code !== 'unauthenticated') this.live = this.t.problem[error.code];
    } finally {
      this.booting = false;
      this.refreshContext();
    }
  }

  private get t() {
    return catalogs[this.locale];
  }

  private refreshContext(): void {
    this.ctx =
      this.me === null
        ? null
        : {
            me: this.me,
            client: this.client,
            t: this.t,
            f: createFormatter(this.locale, this.timeZone),
            names: this.names,
            navigate: (hash) => {
              location.hash = hash;
            },
            announce: (text, options) => this.announce(text, options),
          };
    this.requestUpdate();
  }

  private liveTimer: ReturnType<typeof setTimeout> | undefined;
  private liveForNextPage = false;

  /** A short confirmation, read out by screen readers and shown for a few seconds above the page. */
  private announce(text: string, options: { forNextPage?: boolean } = {}): void {
    this.live = text;
    this.liveForNextPage = options.forNextPage === true;
    clearTimeout(this.liveTimer);
    this.liveTimer = setTimeout(() => this.clearLive(), 6_000);
    this.requestUpdate();
  }

  private clearLive(): void {
    clearTimeout(this.liveTimer);
    this.live = '';
    this.requestUpdate();
  }

  constructor() {
    super();
    followHeadingInTitle(this);
  }

  private signedIn(event: CustomEvent<{ token: string; me: Me }>): void {
    this.token = event.detail.token;
    tokenStore.set(this.token);
    this.me = event.detail.me;
    this.sessionEnded = false;
    this.refreshContext();
    void this.updateComplete.then(() => this.querySelector<HTMLElement>('main h1')?.focus());
  }

  private signOut(ended = false): void {
    this.token = null;
    tokenStore.set(null);
    this.me = null;
    this.sessionEnded = ended;
    this.names = createNameDirectory(this.client);
    this.refreshContext();
  }

  private setLocale(locale: Locale): void {
    this.locale = locale;
    saveLocale(locale);
    document.documentElement.lang = locale;
    this.refreshContext();
  }

  private setTimeZone(timeZone: string): void {
    this.timeZone = timeZone;
    saveTimeZone(timeZone);
    this.refreshContext();
  }

  private nav(me: Me): NavItem[] {
    const t = this.t;
    const clerkOnly = me.roles.every((role) => role === 'clerk');
    const items: NavItem[] = [
      { page: 'submit', roles: ['clerk'], href: href.submit(), label: t.nav.submit },
      {
        page: 'cases',
        roles: ['clerk', 'verifier', 'supervisor'],
        href: href.cases(),
        label: clerkOnly ? t.nav.myCases : t.nav.cases,
      },
      { page: 'worklist', roles: ['verifier', 'supervisor'], href: href.worklist(), label: t.nav.worklist },
      { page: 'workload', roles: ['supervisor'], href: href.workload(), label: t.nav.workload },
      { page: 'stats', roles: ['supervisor'], href: href.stats(), label: t.nav.stats },
      { page: 'reports', roles: ['supervisor'], href: href.reports(), label: t.nav.reports },
      { page: 'access-log', roles: ['supervisor'], href: href.accessLog(), label: t.nav.accessLog },
      { page: 'users', roles: ['admin'], href: href.users(), label: t.nav.users },
    ];
    return items.filter((item) => hasRole(me, ...item.roles));
  }

  private settings() {
    const t = this.t;
    return html`<div class="settings">
      <label class="setting"><span>${t.app.language}</span>
        <select @change=${(e: Event) => this.setLocale((e.target as HTMLSelectElement).value as Locale)}>
          ${LOCALES.map((l) => html`<option value=${l} ?selected=${l === this.locale} lang=${l}>${catalogs[l].app.languageName}</option>`)}
        </select></label>
      <label class="setting"><span>${t.app.timeZone}</span>
        <select @change=${(e: Event) => this.setTimeZone((e.target as HTMLSelectElement).value)}>
          ${timeZoneChoices(this.timeZone).map((z) => html`<option value=${z} ?selected=${z === this.timeZone}>${z.replaceAll('_', ' ')}</option>`)}
        </select></label>
    </div>`;
  }

  override render() {
    const t = this.t;
    const ctx = this.ctx;
    const active = this.route.page === 'case' ? 'cases' : this.route.page === 'user' ? 'users' : this.route.page;
    return html`<a class="skip-link" href="#main" @click=${(e: Event) => {
      e.preventDefault();
      this.querySelector<HTMLElement>('main')?.focus();
    }}>${t.app.skip}</a>
      <header class="app-header">
        <a class="brand" href=${href.home()}>casetrail</a>
        ${
          ctx === null
            ? nothing
            : html`<nav aria-label=${t.nav.label}><ul>
          ${this.nav(ctx.me).map((item) => html`<li><a href=${item.href} aria-current=${item.page === active ? 'page' : nothing}>${item.label}</a></li>`)}
        </ul></nav>`
        }
        ${this.settings()}
        ${
          ctx === null
            ? nothing
            : html`<div class="who">
          <span>${ctx.me.name} <span class="roles">(${ctx.me.roles.map((r) => t.role[r]).join(', ')})</span></span>
          <button type="button" class="button button--quiet" @click=${() => this.signOut()}>${t.app.signOut}</button>
        </div>`
        }
      </header>
      <div class="live" role="status" aria-live="polite">${this.live}</div>
      <main id="main" tabindex="-1">
        ${
          this.booting
            ? html`<p class="loading">${t.app.loading}</p>`
            : ctx === null
              ? html`<ct-sign-in .t=${t} .client=${this.client} .ended=${this.sessionEnded}
              @signed-in=${(e: CustomEvent<{ token: string; me: Me }>) => this.signedIn(e)}></ct-sign-in>`
              : renderPage(this.route, ctx)
        }
      </main>`;
  }
}
customElements.define('ct-app', ConsoleApp);
