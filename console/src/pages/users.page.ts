import { html, nothing, type PropertyValues } from 'lit';
import { ApiProblem } from '../core/api-client.ts';
import type { AppContext } from '../core/context.ts';
import { href } from '../core/router.ts';
import type { Me, Page, User } from '../core/types.ts';
import { describeProblem, fill, type ShownProblem } from '../i18n/problems.ts';
import { ConsoleElement } from '../ui/element.ts';
import { load, type Loaded } from '../ui/loader.ts';
import { problemBox } from '../ui/problem-box.ts';

export const ALL_ROLES: Me['roles'] = ['clerk', 'verifier', 'supervisor', 'admin'];

type Created = { id: string; name: string; token: string };

/** The roles ticked in a form, or the problem of none ticked (a user needs at least one). */
export function chosenRoles(
  form: HTMLFormElement,
  t: AppContext['t'],
): { roles: string[] } | { problem: ShownProblem } {
  const roles = new FormData(form).getAll('roles').map(String);
  return roles.length > 0
    ? { roles }
    : { problem: { title: t.problem.validation_failed, detail: t.usersPage.needRole, requestId: null } };
}

/** Admin: every user, and a form that creates one and shows their token once. */
export class UsersPage extends ConsoleElement {
  private users: Loaded<Page<User>> = { state: 'loading' };
  private created: Created | null = null;
  private problem: ShownProblem | null = null;
  private busy = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.hasUpdated && changed.has('ctx')) void this.reload();
  }

  private async reload(): Promise<void> {
    this.users = await load(() => this.ctx.client.get<Page<User>>('/v1/users'));
    this.requestUpdate();
  }

  private async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const chosen = chosenRoles(form, this.ctx.t);
    this.created = null;
    this.problem = 'problem' in chosen ? chosen.problem : null;
    if ('problem' in chosen) {
      this.requestUpdate();
      return;
    }
    const { roles } = chosen;
    this.busy = true;
    this.requestUpdate();
    try {
      const response = await this.ctx.client.send('POST', '/v1/users', {
        body: { name: String(data.get('name') ?? ''), roles },
      });
      this.created = response.body as Created;
      this.ctx.announce(fill(this.ctx.t.usersPage.created_, { name: this.created.name }));
      form.reset();
      await this.reload();
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      this.problem = describeProblem(error, this.ctx.t, this.ctx.f);
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  private createForm() {
    const { t } = this.ctx;
    const p = t.usersPage;
    return html`<section class="card" aria-labelledby="new-user-title">
      <h2 id="new-user-title">${p.createTitle}</h2>
      <form aria-label=${p.createTitle} @submit=${(e: SubmitEvent) => void this.create(e)}>
        <div class="field"><label for="new-user-name">${p.name}</label>
          <input id="new-user-name" name="name" required maxlength="100" autocomplete="off"></div>
        <fieldset class="field"><legend>${p.roles}</legend>
          ${ALL_ROLES.map(
            (role) =>
              html`<label class="check"><input type="checkbox" name="roles" value=${role}> ${t.role[role]}</label>`,
          )}
        </fieldset>
        <p class="form-actions"><button class="button button--primary" type="submit" ?disabled=${this.busy}>
          ${this.busy ? t.form.sending : p.create}</button></p>
      </form>
      ${
        this.created === null
          ? nothing
          : html`<div class="notice token-once" role="status">
        <p>${fill(p.tokenOnce, { name: this.created.name })}</p>
        <p><label>${p.tokenLabel} <input class="token" readonly .value=${this.created.token} aria-label=${p.tokenLabel}></label></p>
      </div>`
      }
    </section>`;
  }

  override render() {
    const { t, f } = this.ctx;
    const p = t.usersPage;
    const users = this.users;
    return html`<section>
      <h1 tabindex="-1">${p.title}</h1>
      <p>${p.intro}</p>
      ${this.problem === null ? nothing : problemBox(this.problem, t)}
      ${this.createForm()}
      ${users.state === 'loading' ? html`<p class="loading">${t.app.loading}</p>` : nothing}
      ${users.state === 'failed' ? problemBox(describeProblem(users.problem, t, f), t) : nothing}
      ${
        users.state === 'ready'
          ? html`<table class="cases users">
        <caption class="visually-hidden">${p.title}</caption>
        <thead><tr><th scope="col">${p.name}</th><th scope="col">${p.roles}</th><th scope="col">${p.status}</th><th scope="col">${p.created}</th></tr></thead>
        <tbody>${users.value.items.map(
          (u) => html`<tr>
          <th scope="row" data-label=${p.name}><a href=${href.user(u.id)}>${u.name}</a></th>
          <td data-label=${p.roles}>${u.roles.map((r) => t.role[r]).join(', ')}</td>
          <td data-label=${p.status}>${u.disabled ? p.disabled : p.active}</td>
          <td data-label=${p.created}>${f.dateTime(u.createdAt)}</td>
        </tr>`,
        )}</tbody>
      </table>`
          : nothing
      }
    </section>`;
  }
}
customElements.define('ct-users-page', UsersPage);
