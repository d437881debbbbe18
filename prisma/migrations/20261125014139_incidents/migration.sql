CREATE TABLE "alerts" (
    "id" UUID NOT NULL,
    "dedup_key" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "device_id" UUID,
    "segment_id" UUID,
    "summary" TEXT NOT NULL,
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "observed_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "incident_id" UUID,

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "incidents" (
    "id" UUID NOT NULL,
    "correlation_key" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "segment_id" UUID,
    "title" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "resolution" TEXT,
    "assignee_id" UUID,
    "device_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "critical_device_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "alert_count" INTEGER NOT NULL DEFAULT 0,
    "first_alert_at" TIMESTAMPTZ(3) NOT NULL,
    "last_alert_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "incidents_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "incident_timeline" (
    "id" BIGSERIAL NOT NULL,
    "incident_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "dedup_key" TEXT,

    CONSTRAINT "incident_timeline_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "threat_intel" (
    "id" UUID NOT NULL,
    "value" TEXT NOT NULL,
    "label" TEXT,
    "source" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,

    CONSTRAINT "threat_intel_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "detection_settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "config" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,

    CONSTRAINT "detection_settings_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "device_detection_state" (
    "device_id" UUID NOT NULL,
    "state" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "device_detection_state_pkey" PRIMARY KEY ("device_id")
);

CREATE UNIQUE INDEX "alerts_dedup_key_key" ON "alerts"("dedup_key");

CREATE INDEX "alerts_observed_at_idx" ON "alerts"("observed_at");

CREATE INDEX "alerts_device_id_observed_at_idx" ON "alerts"("device_id", "observed_at");

CREATE INDEX "alerts_incident_id_idx" ON "alerts"("incident_id");

CREATE INDEX "alerts_rule_observed_at_idx" ON "alerts"("rule", "observed_at");

CREATE INDEX "incidents_correlation_key_last_alert_at_idx" ON "incidents"("correlation_key", "last_alert_at");

CREATE INDEX "incidents_status_last_alert_at_idx" ON "incidents"("status", "last_alert_at");

CREATE UNIQUE INDEX "incident_timeline_dedup_key_key" ON "incident_timeline"("dedup_key");

CREATE INDEX "incident_timeline_incident_id_at_idx" ON "incident_timeline"("incident_id", "at");

CREATE UNIQUE INDEX "threat_intel_value_key" ON "threat_intel"("value");

ALTER TABLE "alerts" ADD CONSTRAINT "alerts_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "alerts" ADD CONSTRAINT "alerts_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "incident_timeline" ADD CONSTRAINT "incident_timeline_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "device_detection_state" ADD CONSTRAINT "device_detection_state_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;
