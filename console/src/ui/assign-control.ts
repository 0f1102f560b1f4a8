import { html, nothing, type PropertyValues } from 'lit';
import { ApiProblem } from '../core/api-client.ts';
import { COMMAND_PATHS, runCommand } from '../core/commands.ts';
import type { Case, Workload } from '../core/types.ts';
import { describeProblem, fill, type ShownProblem } from '../i18n/problems.ts';
import { who } from './badges.ts';
import { ConsoleElement } from './element.ts';
import { problemBox } from './problem-box.ts';

/**
 * Supervisor, on a received case: assign it to a verifier (a claim held for them) or
 * release whoever holds it. The verifiers come from the workload, so the choice shows what
 * each already carries. Dispatches `applied` with the case after the command.
 */
export class AssignControl extends ConsoleElement {
  static override properties = { ...ConsoleElement.properties, kase: { attribute: false } };
  declare kase: Case;
  private verifiers: Workload['verifiers'] = [];
  private busy = false;
  private problem: ShownProblem | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.hasUpdated && changed.has('ctx')) void this.loadVerifiers();
  }

  private async loadVerifiers(): Promise<void> {
    try {
      const workload = await this.ctx.client.get<Workload>('/v1/workload');
      this.verifiers = workload.verifiers.filter((v) => !v.disabled && v.id !== this.kase.submittedBy);
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      this.problem = describeProblem(error, this.ctx.t, this.ctx.f);
    }
    this.requestUpdate();
  }

  private async run(kind: 'assign' | 'release', body: Record<string, unknown>, done: string): Promise<void> {
    this.busy = true;
    this.problem = null;
    this.requestUpdate();
    try {
      const after = await runCommand(this.ctx.client, COMMAND_PATHS[kind](this.kase.id), {
        ...body,
        expectedVersion: this.kase.version,
      });
      this.ctx.announce(done);
      this.dispatchEvent(new CustomEvent('applied', { detail: after, bubbles: true }));
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      this.problem = describeProblem(error, this.ctx.t, this.ctx.f);
      this.dispatchEvent(new CustomEvent('stale', { bubbles: true }));
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  private assign(event: SubmitEvent): void {
    event.preventDefault();
    const verifierId = new FormData(event.target as HTMLFormElement).get('verifierId');
    if (typeof verifierId !== 'string' || verifierId === '') return;
    const name = this.verifiers.find((v) => v.id === verifierId)?.name ?? verifierId;
    void this.run(
      'assign',
      { verifierId },
      fill(this.ctx.t.assign.assigned, { reference: this.kase.reference, who: name }),
    );
  }

  override render() {
    const { t, f } = this.ctx;
    const c = this.kase;
    const held = c.claimedBy !== undefined && c.claimedUntil !== undefined && Date.parse(c.claimedUntil) > Date.now();
    return html`<section class="card assign" aria-labelledby="assign-title">
      <h2 id="assign-title">${t.assign.title}</h2>
      ${this.problem === null ? nothing : problemBox(this.problem, t)}
      <p>${
        held && c.claimedBy !== undefined && c.claimedUntil !== undefined
          ? fill(t.assign.heldBy, {
              who: this.verifiers.find((v) => v.id === c.claimedBy)?.name ?? who(c.claimedBy, this.ctx),
              until: f.dateTime(c.claimedUntil),
            })
          : t.assign.unheld
      }</p>
      <form aria-label=${t.assign.title} @submit=${(e: SubmitEvent) => this.assign(e)}>
        <div class="field"><label for="assign-verifier">${t.assign.verifier}</label>
          <select id="assign-verifier" name="verifierId" required>
            <option value="">${t.assign.choose}</option>
            ${this.verifiers.map((v) => html`<option value=${v.id}>${v.name} (${f.number(v.openClaims)})</option>`)}
          </select></div>
        <p class="form-actions">
          <button class="button button--primary" type="submit" ?disabled=${this.busy}>${this.busy ? t.form.sending : t.assign.assign}</button>
          ${
            held
              ? html`<button class="button button--secondary" type="button" ?disabled=${this.busy}
              @click=${() => void this.run('release', {}, fill(t.assign.released, { reference: c.reference }))}>${t.assign.release}</button>`
              : nothing
          }
        </p>
      </form>
    </section>`;
  }
}
customElements.define('ct-assign-control', AssignControl);
