import { html, nothing, type PropertyValues } from 'lit';
import { hasRole } from '../core/context.ts';
import { ApiProblem } from '../core/api-client.ts';
import { COMMAND_PATHS, runCommand } from '../core/commands.ts';
import type { Case } from '../core/types.ts';
import { describeProblem, fill, type ShownProblem } from '../i18n/problems.ts';
import { ConsoleElement } from './element.ts';
import { problemBox } from './problem-box.ts';

type Topic = { code: string; name: string };

/**
 * The case's topics; the verifier holding its claim and supervisors add and remove them
 * (change-topics). Fires `applied` with the case after a change, like the command forms.
 */
export class CaseTopics extends ConsoleElement {
  static override properties = { kase: { attribute: false } };
  declare kase: Case;
  private topics: Topic[] = [];
  private busy = false;
  private problem: ShownProblem | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.hasUpdated && changed.has('ctx')) void this.loadTopics();
  }

  private async loadTopics(): Promise<void> {
    this.topics = (await this.ctx.client.get<{ items: Topic[] }>('/v1/topics')).items;
    this.requestUpdate();
  }

  private mayChange(): boolean {
    const { me } = this.ctx;
    const c = this.kase;
    const liveClaim = c.claimedBy === me.id && c.claimedUntil !== undefined && Date.parse(c.claimedUntil) > Date.now();
    return hasRole(me, 'supervisor') || liveClaim;
  }

  private async change(body: { add?: string[]; remove?: string[] }): Promise<void> {
    this.busy = true;
    this.problem = null;
    this.requestUpdate();
    try {
      const result = await runCommand(this.ctx.client, COMMAND_PATHS['change-topics'](this.kase.id), {
        ...body,
        expectedVersion: this.kase.version,
      });
      this.dispatchEvent(new CustomEvent<Case>('applied', { detail: result, bubbles: true }));
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      this.problem = describeProblem(error, this.ctx.t, this.ctx.f);
    } finally {
      this.busy = false;
      this.requestUpdate();
    }
  }

  private add(event: SubmitEvent): void {
    event.preventDefault();
    const code = new FormData(event.target as HTMLFormElement).get('topic');
    if (typeof code === 'string' && code !== '') void this.change({ add: [code] });
  }

  override render() {
    const { t } = this.ctx;
    const names = new Map(this.topics.map((x) => [x.code, x.name]));
    const own = this.kase.topics;
    const editable = this.mayChange();
    const others = this.topics.filter((x) => !own.includes(x.code));
    return html`<section class="card case-topics" aria-labelledby="topics-title">
      <h2 id="topics-title">${t.topics.title}</h2>
      ${this.problem === null ? nothing : problemBox(this.problem, t)}
      ${
        own.length === 0
          ? html`<p class="empty">${t.topics.none}</p>`
          : html`<ul class="topic-list">${own.map(
              (code) => html`<li><span class="badge" data-topic=${code}>${names.get(code) ?? code}</span>
              ${
                editable
                  ? html`<button class="button button--quiet" type="button" ?disabled=${this.busy} @click=${() => this.change({ remove: [code] })}>
                <span aria-hidden="true">×</span><span class="visually-hidden">${fill(t.topics.remove, { name: names.get(code) ?? code })}</span></button>`
                  : nothing
              }</li>`,
            )}</ul>`
      }
      ${
        editable && others.length > 0
          ? html`<form class="filters" @submit=${(e: SubmitEvent) => this.add(e)}>
        <div class="field"><label for="topic-add">${t.topics.add}</label>
          <select id="topic-add" name="topic">${others.map((x) => html`<option value=${x.code}>${x.name}</option>`)}</select></div>
        <p class="form-actions"><button class="button button--secondary" type="submit" ?disabled=${this.busy}>${t.topics.addButton}</button></p>
      </form>`
          : nothing
      }
    </section>`;
  }
}
customElements.define('ct-case-topics', CaseTopics);
