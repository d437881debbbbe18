CREATE TABLE "segment_detection_state" (
    "segment_id" UUID NOT NULL,
    "state" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "segment_detection_state_pkey" PRIMARY KEY ("segment_id")
);

ALTER TABLE "segment_detection_state" ADD CONSTRAINT "segment_detection_state_segment_id_fkey" FOREIGN KEY ("segment_id") REFERENCES "segments"("id") ON DELETE CASCADE ON UPDATE CASCADE;
