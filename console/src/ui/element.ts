import { LitElement, type PropertyDeclarations } from 'lit';
import type { AppContext } from '../core/context.ts';

/**
 * Light-DOM elements: one stylesheet styles the whole console, and labels, ids and ARIA
 * references work across components as in plain HTML. Public inputs are Lit properties
 * (declared, never initialized in a field, so Lit's accessors stay in place); private state
 * is plain fields followed by `this.requestUpdate()`.
 */
export class ConsoleElement extends LitElement {
  static override properties: PropertyDeclarations = { ctx: { attribute: false } };
  declare ctx: AppContext;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }
}
