import type { ReactiveController, ReactiveControllerHost } from 'lit';

const PRODUCT = 'casetrail';

/**
 * The tab's title follows the page's main heading ("Case CT-2026-000123 · casetrail"), so
 * that tabs, history and screen readers tell pages apart. Pages render their heading when
 * their data arrives, so the heading is watched rather than set once.
 */
class PageTitle implements ReactiveController {
  private observer: MutationObserver | null = null;
  private readonly host: ReactiveControllerHost & HTMLElement;

  constructor(host: ReactiveControllerHost & HTMLElement) {
    this.host = host;
    host.addController(this);
  }

  private sync = () => {
    const heading = this.host.querySelector('main h1')?.textContent?.replace(/\s+/gu, ' ').trim() ?? '';
    const title = heading === '' ? PRODUCT : `${heading} · ${PRODUCT}`;
    if (document.title !== title) document.title = title;
  };

  hostConnected(): void {
    this.observer = new MutationObserver(this.sync);
    this.observer.observe(this.host, { childList: true, subtree: true, characterData: true });
  }

  hostUpdated(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = null;
  }
}

export function followHeadingInTitle(host: ReactiveControllerHost & HTMLElement): void {
  new PageTitle(host);
}
