import { fanOutWebhooks } from '../../src/app/webhook-delivery.ts';
import type { EventProjection } from './projection.ts';

/** Creates a delivery (and its outbox row) for every endpoint subscribed to the event's type. */
export const webhookProjection: EventProjection = {
  name: 'webhooks',
  handles: 'all',
  async project(event, context) {
    if (context.known.webhookSubscribers === 0) return;
    const deliveries = await fanOutWebhooks(context.pool, event);
    if (deliveries > 0) context.log.debug({ deliveries }, 'webhook deliveries created');
  },
};
