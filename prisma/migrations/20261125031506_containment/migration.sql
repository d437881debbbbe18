CREATE TYPE "ContainmentKind" AS ENUM ('QUARANTINE_DEVICES', 'ISOLATE_SEGMENT', 'BLOCK_DESTINATION', 'ROTATE_CREDENTIALS', 'REVOKE_CREDENTIALS');

CREATE TYPE "ContainmentStatus" AS ENUM ('PENDING', 'APPLIED', 'RELEASED', 'EXPIRED', 'FAILED', 'SKIPPED');

ALTER TABLE "devices" ADD COLUMN     "fail_safe" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "telemetry_points" ADD COLUMN     "quarantined" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "containments" (
    "id" UUID NOT NULL,
    "kind" "ContainmentKind" NOT NULL,
    "status" "ContainmentStatus" NOT NULL DEFAULT 'PENDING',
    "request_id" UUID NOT NULL,
    "request_key" TEXT,
    "target_key" TEXT NOT NULL,
    "device_id" UUID,
    "segment_id" UUID,
    "destination" TEXT,
    "actor" TEXT NOT NULL,
    "actor_name" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "incident_id" UUID,
    "override_fail_safe" BOOLEAN NOT NULL DEFAULT false,
    "expires_at" TIMESTAMPTZ(3),
    "touched" JSONB NOT NULL DEFAULT '{}',
    "skipped" JSONB NOT NULL DEFAULT '[]',
    "undo" JSONB,
    "version" INTEGER NOT NULL DEFAULT 1,
    "delivered_version" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "covered_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "applied_at" TIMESTAMPTZ(3),
    "released_at" TIMESTAMPTZ(3),
    "released_by" TEXT,
    "release_reason" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "containments_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "containments_status_created_at_idx" ON "containments"("status", "created_at");

CREATE INDEX "containments_device_id_status_idx" ON "containments"("device_id", "status");

CREATE INDEX "containments_segment_id_status_idx" ON "containments"("segment_id", "status");

CREATE INDEX "containments_incident_id_created_at_idx" ON "containments"("incident_id", "created_at");

CREATE INDEX "containments_request_id_idx" ON "containments"("request_id");

CREATE INDEX "containments_request_key_idx" ON "containments"("request_key");

CREATE INDEX "containments_expires_at_idx" ON "containments"("expires_at");

ALTER TABLE "containments" ADD CONSTRAINT "containments_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "containments" ADD CONSTRAINT "containments_segment_id_fkey" FOREIGN KEY ("segment_id") REFERENCES "segments"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "containments" ADD CONSTRAINT "containments_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "containments" ADD CONSTRAINT "containments_covered_by_id_fkey" FOREIGN KEY ("covered_by_id") REFERENCES "containments"("id") ON DELETE SET NULL ON UPDATE CASCADE;
