-- The receivers registry (owned by @pulse/acquisitions) and a final state for tasks a user cancelled.
-- Passwords are never stored here: password_ref names where the worker finds one (env:NAME).

-- CreateEnum
CREATE TYPE "ReceiverKind" AS ENUM ('kiwisdr', 'rtl_tcp', 'synthetic');

-- AlterEnum
ALTER TYPE "AcquisitionState" ADD VALUE 'CANCELLED';

-- CreateTable
CREATE TABLE "receivers" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ReceiverKind" NOT NULL,
    "host" TEXT,
    "port" INTEGER,
    "password_ref" TEXT,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "min_frequency_hz" BIGINT NOT NULL,
    "max_frequency_hz" BIGINT NOT NULL,
    "max_sample_rate" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "last_seen_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "receivers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "receivers_host_port_key" ON "receivers"("host", "port");

