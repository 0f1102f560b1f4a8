-- A delivery whose receiver address the target policy refuses (loopback, private,
-- link-local...) ends as 'blocked': it is not retried, and no connection is made.
ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_status_check";
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_status_check"
    CHECK ("status" IN ('pending', 'delivered', 'failed', 'blocked'));
