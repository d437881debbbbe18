CREATE TYPE "FlowProtocol" AS ENUM ('tcp', 'udp', 'icmp', 'other');

CREATE TABLE "gateway_credentials" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "site_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "gateway_credentials_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "device_state" (
    "device_id" UUID NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_ts" TIMESTAMPTZ(3) NOT NULL,
    "last_seq" BIGINT NOT NULL,
    "metrics" JSONB NOT NULL DEFAULT '{}',
    "firmware_version" TEXT,
    "firmware_hash" TEXT,
    "ip" INET,
    "expected_interval_seconds" INTEGER,
    "online" BOOLEAN NOT NULL DEFAULT true,
    "online_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "device_state_pkey" PRIMARY KEY ("device_id")
);

CREATE TABLE "telemetry_points" (
    "device_id" UUID NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "seq" BIGINT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "metrics" JSONB NOT NULL DEFAULT '{}',
    "events" JSONB,

    CONSTRAINT "telemetry_points_pkey" PRIMARY KEY ("device_id","ts","seq")
) PARTITION BY RANGE ("ts");

CREATE TABLE "device_contacts" (
    "device_id" UUID NOT NULL,
    "peer_ip" INET NOT NULL,
    "port" INTEGER NOT NULL,
    "protocol" "FlowProtocol" NOT NULL,
    "outbound" BOOLEAN NOT NULL DEFAULT true,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "packets" BIGINT NOT NULL DEFAULT 0,
    "count" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "device_contacts_pkey" PRIMARY KEY ("device_id","peer_ip","port","protocol")
);

CREATE UNIQUE INDEX "gateway_credentials_token_hash_key" ON "gateway_credentials"("token_hash");

CREATE INDEX "device_contacts_peer_ip_idx" ON "device_contacts"("peer_ip");

ALTER TABLE "device_state" ADD CONSTRAINT "device_state_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "device_contacts" ADD CONSTRAINT "device_contacts_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- device_state and device_contacts are updated in place by every stream batch: leave room in each
-- page so the updates stay HOT (no index maintenance, no page splits).
ALTER TABLE "device_state" SET (fillfactor = 70);
ALTER TABLE "device_contacts" SET (fillfactor = 80);

-- ---------------------------------------------------------------------------------------------
-- Time partitioning of telemetry_points (not expressible in the Prisma schema).
-- One partition per UTC day, named telemetry_points_pYYYYMMDD, created ahead by
-- warden_telemetry_maintain(), which also drops the days past retention. The default partition
-- only catches what no day partition covers (a device clock far off), so an insert never fails.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE "telemetry_points_default" PARTITION OF "telemetry_points" DEFAULT;

CREATE OR REPLACE FUNCTION warden_telemetry_maintain(retention_days integer, ahead_days integer)
RETURNS TABLE (created text[], dropped text[])
LANGUAGE plpgsql AS $$
DECLARE
  today date := (now() AT TIME ZONE 'UTC')::date;
  d date;
  name text;
  made text[] := '{}';
  gone text[] := '{}';
  part record;
BEGIN
  -- Several stream processors run this; one at a time.
  PERFORM pg_advisory_xact_lock(hashtext('warden_telemetry_maintain'));
  FOR d IN SELECT generate_series(today - 1, today + ahead_days, interval '1 day')::date LOOP
    name := 'telemetry_points_p' || to_char(d, 'YYYYMMDD');
    IF to_regclass(name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF telemetry_points FOR VALUES FROM (%L) TO (%L)',
        name, (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
      made := made || name;
    END IF;
  END LOOP;
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'telemetry_points'::regclass AND c.relname ~ '^telemetry_points_p[0-9]{8}$'
      AND to_date(substring(c.relname from 19), 'YYYYMMDD') < today - retention_days
  LOOP
    EXECUTE format('DROP TABLE %I', part.relname);
    gone := gone || part.relname::text;
  END LOOP;
  DELETE FROM telemetry_points_default WHERE ts < (today - retention_days)::timestamp AT TIME ZONE 'UTC';
  RETURN QUERY SELECT made, gone;
END;
$$;

SELECT warden_telemetry_maintain(30, 3);
