CREATE TYPE "AdvisorySeverity" AS ENUM ('UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL');

CREATE TYPE "RolloutStatus" AS ENUM ('WAITING_APPROVAL', 'READY', 'RUNNING', 'PAUSED', 'SUCCEEDED', 'ABORTED', 'CANCELED');

CREATE TYPE "RolloutErrorAction" AS ENUM ('PAUSE', 'ABORT');

CREATE TYPE "WaveStatus" AS ENUM ('PLANNED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED');

CREATE TYPE "UpdateActionStatus" AS ENUM ('PLANNED', 'SCHEDULED', 'RETRIEVED', 'DOWNLOAD', 'DOWNLOADED', 'RUNNING', 'WARNING', 'CANCELING', 'FINISHED', 'ERROR', 'CANCELED', 'TIMED_OUT', 'SKIPPED');

CREATE TYPE "StatusSource" AS ENUM ('DEVICE', 'SERVER');

CREATE TYPE "ExclusionReason" AS ENUM ('NOT_OTA_CAPABLE', 'WRONG_MODEL', 'ALREADY_ON_RELEASE', 'RETIRED', 'BUSY');

CREATE TABLE "artifacts" (
    "id" UUID NOT NULL,
    "filename" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "sha1" TEXT NOT NULL,
    "md5" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "signing_key_id" TEXT NOT NULL,
    "storage_key" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,

    CONSTRAINT "artifacts_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "releases" (
    "id" UUID NOT NULL,
    "module_id" SERIAL NOT NULL,
    "model_id" UUID NOT NULL,
    "version" TEXT NOT NULL,
    "version_key" TEXT NOT NULL,
    "part" TEXT NOT NULL DEFAULT 'os',
    "name" TEXT NOT NULL,
    "notes" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,

    CONSTRAINT "releases_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "release_artifacts" (
    "release_id" UUID NOT NULL,
    "artifact_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "release_artifacts_pkey" PRIMARY KEY ("release_id","artifact_id")
);

CREATE TABLE "advisories" (
    "id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "aliases" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "summary" TEXT NOT NULL DEFAULT '',
    "details" TEXT NOT NULL DEFAULT '',
    "severity" "AdvisorySeverity" NOT NULL DEFAULT 'UNKNOWN',
    "published_at" TIMESTAMP(3),
    "modified_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "advisories_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "advisory_affected" (
    "id" UUID NOT NULL,
    "advisory_id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "introduced" TEXT,
    "introduced_key" TEXT,
    "fixed" TEXT,
    "fixed_key" TEXT,
    "last_affected" TEXT,
    "last_affected_key" TEXT,
    "fixed_release_id" UUID,

    CONSTRAINT "advisory_affected_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "rollouts" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "release_id" UUID NOT NULL,
    "status" "RolloutStatus" NOT NULL,
    "status_reason" TEXT,
    "filter" JSONB NOT NULL,
    "success_threshold_pct" INTEGER NOT NULL,
    "error_threshold_pct" INTEGER NOT NULL,
    "overall_error_threshold_pct" INTEGER NOT NULL,
    "error_action" "RolloutErrorAction" NOT NULL DEFAULT 'ABORT',
    "device_deadline_seconds" INTEGER NOT NULL,
    "wave_delay_seconds" INTEGER NOT NULL,
    "maintenance_window" JSONB,
    "forced" BOOLEAN NOT NULL DEFAULT true,
    "emergency" BOOLEAN NOT NULL DEFAULT false,
    "requires_approval" BOOLEAN NOT NULL,
    "approved_by" TEXT,
    "approved_at" TIMESTAMP(3),
    "rollback_of_id" UUID,
    "created_by" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "rollouts_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "rollout_waves" (
    "id" UUID NOT NULL,
    "rollout_id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "status" "WaveStatus" NOT NULL DEFAULT 'PLANNED',
    "started_at" TIMESTAMP(3),
    "deadline_at" TIMESTAMP(3),
    "succeeded_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "rollout_waves_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "update_actions" (
    "id" SERIAL NOT NULL,
    "rollout_id" UUID NOT NULL,
    "wave_id" UUID NOT NULL,
    "device_id" UUID NOT NULL,
    "release_id" UUID NOT NULL,
    "status" "UpdateActionStatus" NOT NULL DEFAULT 'PLANNED',
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "superseded" BOOLEAN NOT NULL DEFAULT false,
    "forced" BOOLEAN NOT NULL DEFAULT true,
    "from_version" TEXT,
    "status_count" INTEGER NOT NULL DEFAULT 0,
    "last_message" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatched_at" TIMESTAMP(3),
    "deadline_at" TIMESTAMP(3),
    "last_feedback_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "update_actions_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "update_action_status" (
    "id" BIGSERIAL NOT NULL,
    "action_id" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" "UpdateActionStatus" NOT NULL,
    "source" "StatusSource" NOT NULL,
    "execution" TEXT,
    "finished" TEXT,
    "code" INTEGER,
    "details" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "progress_cnt" INTEGER,
    "progress_of" INTEGER,

    CONSTRAINT "update_action_status_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "rollout_exclusions" (
    "rollout_id" UUID NOT NULL,
    "device_id" UUID NOT NULL,
    "reason" "ExclusionReason" NOT NULL,

    CONSTRAINT "rollout_exclusions_pkey" PRIMARY KEY ("rollout_id","device_id")
);

CREATE TABLE "ddi_gateway_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "model_id" UUID NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "ddi_gateway_tokens_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ddi_controller_state" (
    "device_id" UUID NOT NULL,
    "config_requested" BOOLEAN NOT NULL DEFAULT true,
    "last_poll_at" TIMESTAMP(3),
    "last_poll_ip" TEXT,

    CONSTRAINT "ddi_controller_state_pkey" PRIMARY KEY ("device_id")
);

CREATE UNIQUE INDEX "artifacts_sha256_filename_key" ON "artifacts"("sha256", "filename");

CREATE UNIQUE INDEX "releases_module_id_key" ON "releases"("module_id");

CREATE INDEX "releases_model_id_version_key_idx" ON "releases"("model_id", "version_key");

CREATE UNIQUE INDEX "releases_model_id_version_key" ON "releases"("model_id", "version");

CREATE UNIQUE INDEX "advisories_external_id_key" ON "advisories"("external_id");

CREATE INDEX "advisory_affected_advisory_id_idx" ON "advisory_affected"("advisory_id");

CREATE INDEX "advisory_affected_model_id_idx" ON "advisory_affected"("model_id");

CREATE INDEX "rollouts_status_idx" ON "rollouts"("status");

CREATE UNIQUE INDEX "rollout_waves_rollout_id_index_key" ON "rollout_waves"("rollout_id", "index");

CREATE INDEX "update_actions_wave_id_status_idx" ON "update_actions"("wave_id", "status");

CREATE INDEX "update_actions_device_id_id_idx" ON "update_actions"("device_id", "id");

CREATE UNIQUE INDEX "update_actions_rollout_id_device_id_attempt_key" ON "update_actions"("rollout_id", "device_id", "attempt");

CREATE INDEX "update_action_status_action_id_id_idx" ON "update_action_status"("action_id", "id");

CREATE UNIQUE INDEX "ddi_gateway_tokens_token_hash_key" ON "ddi_gateway_tokens"("token_hash");

ALTER TABLE "releases" ADD CONSTRAINT "releases_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "device_models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "release_artifacts" ADD CONSTRAINT "release_artifacts_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "release_artifacts" ADD CONSTRAINT "release_artifacts_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "advisory_affected" ADD CONSTRAINT "advisory_affected_advisory_id_fkey" FOREIGN KEY ("advisory_id") REFERENCES "advisories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "advisory_affected" ADD CONSTRAINT "advisory_affected_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "device_models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "advisory_affected" ADD CONSTRAINT "advisory_affected_fixed_release_id_fkey" FOREIGN KEY ("fixed_release_id") REFERENCES "releases"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_rollback_of_id_fkey" FOREIGN KEY ("rollback_of_id") REFERENCES "rollouts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "rollout_waves" ADD CONSTRAINT "rollout_waves_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollouts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "update_actions" ADD CONSTRAINT "update_actions_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollouts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "update_actions" ADD CONSTRAINT "update_actions_wave_id_fkey" FOREIGN KEY ("wave_id") REFERENCES "rollout_waves"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "update_actions" ADD CONSTRAINT "update_actions_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "update_actions" ADD CONSTRAINT "update_actions_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "update_action_status" ADD CONSTRAINT "update_action_status_action_id_fkey" FOREIGN KEY ("action_id") REFERENCES "update_actions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "rollout_exclusions" ADD CONSTRAINT "rollout_exclusions_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollouts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "rollout_exclusions" ADD CONSTRAINT "rollout_exclusions_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "ddi_gateway_tokens" ADD CONSTRAINT "ddi_gateway_tokens_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "device_models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "ddi_controller_state" ADD CONSTRAINT "ddi_controller_state_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A device has at most one active update action, across all rollouts: the DDI poll shows one action.
CREATE UNIQUE INDEX "update_actions_one_active_per_device" ON "update_actions" ("device_id")
  WHERE "status" IN ('SCHEDULED', 'RETRIEVED', 'DOWNLOAD', 'DOWNLOADED', 'RUNNING', 'WARNING', 'CANCELING');
