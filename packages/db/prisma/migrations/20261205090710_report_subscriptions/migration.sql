-- Report subscriptions: what a follower receives, how often, in which time zone; and how they left.
CREATE TYPE "ReportFrequency" AS ENUM ('monthly', 'weekly');
CREATE TYPE "ReportFormats" AS ENUM ('pdf', 'xlsx', 'both');
CREATE TYPE "SubscriptionChange" AS ENUM ('unsubscribed', 'resubscribed');

-- A delivery whose subscription was paused or unsubscribed before it was produced.
ALTER TYPE "DeliveryStatus" ADD VALUE 'skipped';

CREATE TABLE "report_subscriptions" (
    "user_id" UUID NOT NULL,
    "frequency" "ReportFrequency" NOT NULL DEFAULT 'monthly',
    "formats" "ReportFormats" NOT NULL DEFAULT 'both',
    "slot_minute" INTEGER NOT NULL DEFAULT 120,
    "time_zone" TEXT NOT NULL DEFAULT 'UTC',
    "device_ids" TEXT[],
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "unsubscribed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "report_subscriptions_pkey" PRIMARY KEY ("user_id")
);

CREATE TABLE "report_subscription_events" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "change" "SubscriptionChange" NOT NULL,
    "method" TEXT NOT NULL,
    "actor_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "report_subscription_events_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "report_subscription_events_user_id_created_at_idx" ON "report_subscription_events"("user_id", "created_at");

ALTER TABLE "report_deliveries" ADD COLUMN "links_valid_until" TIMESTAMPTZ(3),
ADD COLUMN "resend_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "resend_requested_at" TIMESTAMPTZ(3),
ADD COLUMN "resend_requested_by" UUID;

ALTER TABLE "report_subscriptions" ADD CONSTRAINT "report_subscriptions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "report_subscription_events" ADD CONSTRAINT "report_subscription_events_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
