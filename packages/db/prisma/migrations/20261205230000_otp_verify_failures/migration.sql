-- Wrong sign-in codes per client and hourly window, in Postgres so that every ui-api replica counts
-- against the same limits (they were counted per process: N replicas allowed N times the limit).
CREATE TABLE "otp_verify_failures" (
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "client" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,

    CONSTRAINT "otp_verify_failures_pkey" PRIMARY KEY ("window_start","client")
);
