-- Webhook secrets are stored sealed (AES-256-GCM with the key of CASETRAIL_SECRETS_KEY or the
-- data directory's secrets.key), which SQL cannot do: rows stored before keep their plaintext
-- in "secret" until the application seals them (at start, or when it next delivers to them).
ALTER TABLE "webhook_endpoints" ADD COLUMN "secret_sealed" TEXT;
ALTER TABLE "webhook_endpoints" ALTER COLUMN "secret" DROP NOT NULL;
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_secret_check"
    CHECK (num_nonnulls("secret", "secret_sealed") = 1);
