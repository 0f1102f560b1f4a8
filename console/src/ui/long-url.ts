import { html, nothing } from 'lit';
import { ConsoleElement } from './element.ts';

/** Addresses longer than this are shown shortened, with a button for the whole. */
const SHORT = 80;
const HEAD = 56;
const TAIL = 20;

/** "https://example.vn/a-very…/end": the start and the end of a long address. */
function shortened(url: string): string {
  return url.length <= SHORT ? url : `${url.slice(0, HEAD)}…${url.slice(-TAIL)}`;
}

/** Copies text; the Clipboard API when the page may use it, a hidden textarea otherwise. */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'visually-hidden';
    document.body.append(area);
    area.select();
    const done = document.execCommand('copy');
    area.remove();
    return done;
  }
}

/**
 * A link to an outside address that never fills the page: shortened in the middle when long,
 * with buttons to show it whole and to copy it. Opens in a new tab without handing it this
 * page (noopener, no referrer); anything but http(s) is shown as text, never as a link.
 */
export class LongUrl extends ConsoleElement {
  static override properties = { ...ConsoleElement.properties, url: {} };
  declare url: string;
  private expanded = false;
  private copied = false;

  private async copy(): Promise<void> {
    this.copied = await copyText(this.url);
    this.requestUpdate();
  }

  override render() {
    const { t } = this.ctx;
    const long = this.url.length > SHORT;
    const shown = this.expanded || !long ? this.url : shortened(this.url);
    const link = /^https?:\/\//iu.test(this.url)
      ? html`<a href=${this.url} target="_blank" rel="noopener noreferrer" class="external" title=${long ? this.url : nothing}>${shown}</a>`
      : html`<span class="external">${shown}</span>`;
    if (!long) return link;
    return html`<span class="long-url">${link}
      <span class="long-url-tools">
        <button type="button" class="button button--quiet button--small" aria-expanded=${this.expanded ? 'true' : 'false'}
          @click=${() => {
            this.expanded = !this.expanded;
            this.requestUpdate();
          }}>${this.expanded ? t.longText.shorten : t.longText.expand}</button>
        <button type="button" class="button button--quiet button--small" @click=${() => this.copy()}>${t.longText.copy}</button>
        <span role="status" class="muted">${this.copied ? t.longText.copied : ''}</span>
      </span></span>`;
  }
}
customElements.define('ct-long-url', LongUrl);
