import { html } from 'lit';
import { href } from '../core/router.ts';
import type { Case } from '../core/types.ts';
import { fill } from '../i18n/problems.ts';
import '../ui/command-form.ts';
import { ConsoleElement } from '../ui/element.ts';
import { SUBMIT_FORM } from '../ui/forms.ts';

/** Clerk: a new report. On success the new case opens (its reference is assigned at intake). */
export class SubmitPage extends ConsoleElement {
  private applied(event: CustomEvent<Case>): void {
    this.ctx.announce(fill(this.ctx.t.submitPage.received, { reference: event.detail.reference }), {
      forNextPage: true,
    });
    this.ctx.navigate(href.case(event.detail.id));
  }

  override render() {
    const { t } = this.ctx;
    return html`<section>
      <h1 tabindex="-1">${t.submitPage.title}</h1>
      <p>${t.submitPage.intro}</p>
      <ct-command-form .ctx=${this.ctx} .spec=${SUBMIT_FORM} .current=${null} compact @applied=${(e: CustomEvent<Case>) => this.applied(e)}></ct-command-form>
    </section>`;
  }
}
customElements.define('ct-submit-page', SubmitPage);
