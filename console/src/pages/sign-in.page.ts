import { LitElement, html, nothing } from 'lit';
import { ApiProblem, createApiClient } from '../core/api-client.ts';
import type { Me } from '../core/types.ts';
import type { Catalog } from '../i18n/en.ts';

/** Signs in with an API token: checked against /v1/me before the console keeps it. */
export class SignInPage extends LitElement {
  static override properties = { t: { attribute: false }, ended: { type: Boolean } };
  declare t: Catalog;
  declare ended: boolean;
  private error: string | null = null;
  private busy = false;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const input = this.querySelector<HTMLInputElement>('#token');
    const token = input?.value.trim() ?? '';
    if (token === '') {
      this.error = this.t.signIn.missing;
      this.requestUpdate();
      input?.focus();
      return;
    }
    this.busy = true;
    this.error = null;
    this.requestUpdate();
    try {
      const client = createApiClient({ token: () => token, onUnauthenticated: () => undefined });
      const me = await client.get<Me>('/v1/me');
      this.dispatchEvent(new CustomEvent('signed-in', { detail: { token, me }, bubbles: true }));
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      this.error = error.code === 'unauthenticated' ? this.t.signIn.invalid : this.t.problem[error.code];
      void this.updateComplete.then(() => input?.focus());
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  override render() {
    const t = this.t;
    return html`<section class="sign-in">
      <h1 tabindex="-1">${t.signIn.title}</h1>
      ${this.ended ? html`<p class="notice" role="status">${t.signIn.ended}</p>` : nothing}
      <p>${t.signIn.intro}</p>
      <form novalidate @submit=${(e: SubmitEvent) => this.submit(e)}>
        <div class="field ${this.error === null ? '' : 'field--invalid'}">
          <label for="token">${t.signIn.token}</label>
          <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required
            aria-invalid=${this.error === null ? 'false' : 'true'} aria-describedby=${this.error === null ? 'token-hint' : 'token-error token-hint'}>
          <p class="field-hint" id="token-hint">${t.signIn.hint}</p>
          ${this.error === null ? nothing : html`<p class="field-error" id="token-error" role="alert">${this.error}</p>`}
        </div>
        <p class="form-actions"><button class="button button--primary" type="submit" ?disabled=${this.busy}>${t.signIn.submit}</button></p>
      </form>
    </section>`;
  }
}
customElements.define('ct-sign-in', SignInPage);
