import { html, nothing, type PropertyValues } from 'lit';
import { ApiProblem } from '../core/api-client.ts';
import { href } from '../core/router.ts';
import type { Page, Token, User } from '../core/types.ts';
import { describeProblem, fill, type ShownProblem } from '../i18n/problems.ts';
import { ConsoleElement } from '../ui/element.ts';
import { problemBox } from '../ui/problem-box.ts';
import { ALL_ROLES, chosenRoles } from './users.page.ts';

/** Admin: one user's roles, whether they may sign in, and their tokens (never a secret but a new one, once). */
export class UserPage extends ConsoleElement {
  static override properties = { ...ConsoleElement.properties, userId: {} };
  declare userId: string;
  private user: User | null = null;
  private tokens: Token[] = [];
  private newToken: string | null = null;
  private problem: ShownProblem | null = null;
  private busy = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('userId')) void this.reload();
  }

  private async reload(): Promise<void> {
    try {
      const [users, tokens] = await Promise.all([
        this.ctx.client.get<Page<User>>('/v1/users'),
        this.ctx.client.get<Page<Token>>(`/v1/users/${this.userId}/tokens`),
      ]);
      this.user = users.items.find((u) => u.id === this.userId) ?? null;
      this.tokens = tokens.items;
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      this.problem = describeProblem(error, this.ctx.t, this.ctx.f);
    }
    this.requestUpdate();
  }

  /** Runs a change, announces it, and reloads the user and tokens. */
  private async change(run: () => Promise<unknown>, done: () => string): Promise<void> {
    this.busy = true;
    this.problem = null;
    this.requestUpdate();
    try {
      await run();
      await this.reload();
      this.ctx.announce(done());
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      this.problem = describeProblem(error, this.ctx.t, this.ctx.f);
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  private patch(body: Record<string, unknown>) {
    return () => this.ctx.client.send('PATCH', `/v1/users/${this.userId}`, { body });
  }

  private saveRoles(event: SubmitEvent, user: User): void {
    event.preventDefault();
    const chosen = chosenRoles(event.target as HTMLFormElement, this.ctx.t);
    if ('problem' in chosen) {
      this.problem = chosen.problem;
      this.requestUpdate();
      return;
    }
    void this.change(this.patch({ roles: chosen.roles }), () =>
      fill(this.ctx.t.userPage.rolesSaved, { name: user.name }),
    );
  }

  private issue(): void {
    this.newToken = null;
    void this.change(
      async () => {
        const response = await this.ctx.client.send('POST', `/v1/users/${this.userId}/tokens`, { body: {} });
        this.newToken = (response.body as { token: string }).token;
      },
      () => this.ctx.t.userPage.tokenOnce,
    );
  }

  private tokensTable() {
    const { t, f } = this.ctx;
    const p = t.userPage;
    return html`<table class="cases tokens">
      <caption>${p.tokensTitle}</caption>
      <thead><tr><th scope="col">${p.tokenId}</th><th scope="col">${p.label}</th><th scope="col">${t.usersPage.created}</th>
        <th scope="col">${p.lastUsed}</th><th scope="col">${p.expires}</th><th scope="col">${p.revoked}</th>
        <th scope="col"><span class="visually-hidden">${p.revoke}</span></th></tr></thead>
      <tbody>${this.tokens.map(
        (k) => html`<tr>
        <th scope="row" data-label=${p.tokenId}><code>${k.id.slice(0, 8)}</code></th>
        <td data-label=${p.label}>${k.label ?? ''}</td>
        <td data-label=${t.usersPage.created}>${f.dateTime(k.createdAt)}</td>
        <td data-label=${p.lastUsed}>${k.lastUsedAt === null ? p.never : f.dateTime(k.lastUsedAt)}</td>
        <td data-label=${p.expires}>${k.expiresAt === null ? p.never : f.dateTime(k.expiresAt)}</td>
        <td data-label=${p.revoked}>${k.revokedAt === null ? '' : f.dateTime(k.revokedAt)}</td>
        <td>${
          k.revokedAt === null
            ? html`<button type="button" class="button button--secondary" ?disabled=${this.busy}
            @click=${() =>
              void this.change(
                () => this.ctx.client.send('DELETE', `/v1/tokens/${k.id}`),
                () => p.revokedNow,
              )}>
            ${p.revoke}<span class="visually-hidden"> ${k.id.slice(0, 8)}</span></button>`
            : nothing
        }</td>
      </tr>`,
      )}</tbody>
    </table>`;
  }

  override render() {
    const { t } = this.ctx;
    const p = t.userPage;
    const user = this.user;
    if (user === null)
      return html`<p class="breadcrumb"><a href=${href.users()}>${p.back}</a></p>
        <h1 tabindex="-1">${t.usersPage.title}</h1>
        ${this.problem === null ? html`<p class="loading">${t.app.loading}</p>` : problemBox(this.problem, t)}`;
    return html`<section>
      <p class="breadcrumb"><a href=${href.users()}>${p.back}</a></p>
      <h1 tabindex="-1">${fill(p.heading, { name: user.name })}</h1>
      <p class="user-status">${user.disabled ? t.usersPage.disabled : t.usersPage.active}</p>
      ${this.problem === null ? nothing : problemBox(this.problem, t)}
      <section class="card" aria-labelledby="roles-title">
        <h2 id="roles-title">${p.rolesTitle}</h2>
        <form aria-label=${p.rolesTitle} @submit=${(e: SubmitEvent) => this.saveRoles(e, user)}>
          <fieldset class="field"><legend>${t.usersPage.roles}</legend>
            ${ALL_ROLES.map(
              (role) => html`<label class="check"><input type="checkbox" name="roles" value=${role}
                .checked=${user.roles.includes(role)}> ${t.role[role]}</label>`,
            )}
          </fieldset>
          <p class="form-actions"><button class="button button--primary" type="submit" ?disabled=${this.busy}>${p.saveRoles}</button></p>
        </form>
        <p>${
          user.disabled
            ? html`<button type="button" class="button button--secondary" ?disabled=${this.busy}
            @click=${() => void this.change(this.patch({ disabled: false }), () => fill(p.enabledNow, { name: user.name }))}>${p.enable}</button>`
            : html`<button type="button" class="button button--danger" ?disabled=${this.busy}
            @click=${() => void this.change(this.patch({ disabled: true }), () => fill(p.disabledNow, { name: user.name }))}>${p.disable}</button>`
        }</p>
      </section>
      <section class="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title">${p.tokensTitle}</h2>
        ${this.tokensTable()}
        <p><button type="button" class="button button--secondary" ?disabled=${this.busy} @click=${() => this.issue()}>${p.newToken}</button></p>
        ${
          this.newToken === null
            ? nothing
            : html`<div class="notice token-once" role="status"><p>${p.tokenOnce}</p>
          <p><input class="token" readonly .value=${this.newToken} aria-label=${t.usersPage.tokenLabel}></p></div>`
        }
      </section>
    </section>`;
  }
}
customElements.define('ct-user-page', UserPage);
