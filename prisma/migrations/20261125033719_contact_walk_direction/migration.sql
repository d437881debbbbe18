-- Readiness derives segment links from device-to-device contacts and their direction (who opened
-- the connection): carrying `outbound` in the walk index lets it read them without touching the
-- table. `outbound` changes at most once per contact (false → true), so updates stay cheap.
DROP INDEX "device_contacts_walk_out_idx";
CREATE INDEX "device_contacts_walk_out_idx" ON "device_contacts" ("device_id", "peer_device_id") INCLUDE ("outbound") WHERE "peer_device_id" IS NOT NULL;
