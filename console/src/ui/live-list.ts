import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { watchChanges, type Watch } from '../core/live.ts';
import type { ConsoleElement } from './element.ts';

/** Changes that come together refresh a list once. */
const SETTLE_MS = 300;

/**
 * Keeps a list page current: while it is on the page, any change of a case the user may see
 * (GET /v1/changes) refreshes it, a few changes in a row once.
 */
class LiveList implements ReactiveController {
  private watch: Watch | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  private readonly host: ReactiveControllerHost & ConsoleElement;
  private readonly refresh: () => Promise<void>;

  constructor(host: ReactiveControllerHost & ConsoleElement, refresh: () => Promise<void>) {
    this.host = host;
    this.refresh = refresh;
    host.addController(this);
  }

  hostConnected(): void {
    // ctx is set before the first update; connect once it is there.
    void this.host.updateComplete.then(() => {
      if (this.watch !== null || !this.host.isConnected) return;
      const soon = () => {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.refresh(), SETTLE_MS);
      };
      this.watch = watchChanges(this.host.ctx.client, '/v1/changes', { onChange: soon, onResync: soon });
    });
  }

  hostDisconnected(): void {
    clearTimeout(this.timer);
    this.watch?.stop();
    this.watch = null;
  }
}

/** Attaches a live refresh to a list page (a Lit controller: it follows the page's life). */
export function liveList(host: ReactiveControllerHost & ConsoleElement, refresh: () => Promise<void>): void {
  new LiveList(host, refresh);
}
