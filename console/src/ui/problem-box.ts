import { html, nothing } from 'lit';
import type { Catalog } from '../i18n/en.ts';
import { fill, type ShownProblem } from '../i18n/problems.ts';

/** A problem shown to the user: announced (role=alert) and focusable so focus can move to it. */
export function problemBox(problem: ShownProblem, t: Catalog) {
  return html`<div class="problem" role="alert" tabindex="-1">
    <p class="problem-title">${problem.title}</p>
    <p>${problem.detail}</p>
    ${problem.requestId === null ? nothing : html`<p class="problem-ref">${fill(t.app.requestId, { id: problem.requestId })}</p>`}
  </div>`;
}
