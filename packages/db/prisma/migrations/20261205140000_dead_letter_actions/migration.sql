-- What operators did with dead letters (`pnpm pulse dlq`, the admin page): one action per dead letter,
-- so a dead letter is replayed (or discarded) at most once, and who did it is on record.
CREATE TYPE "DeadLetterActionKind" AS ENUM ('replay', 'discard');

CREATE TABLE "dead_letter_actions" (
    "id" UUID NOT NULL,
    "action" "DeadLetterActionKind" NOT NULL,
    "stream" TEXT NOT NULL,
    "stream_seq" BIGINT NOT NULL,
    "subject" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "msg_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dead_letter_actions_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "dead_letter_actions_stream_stream_seq_key" ON "dead_letter_actions"("stream", "stream_seq");
CREATE INDEX "dead_letter_actions_created_at_idx" ON "dead_letter_actions"("created_at");
