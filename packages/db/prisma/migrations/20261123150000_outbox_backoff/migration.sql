-- A row the bus refused for good waits longer after each refusal instead of being retried every pass.
ALTER TABLE "outbox" ADD COLUMN "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
