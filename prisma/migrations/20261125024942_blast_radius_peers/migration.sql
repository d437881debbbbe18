ALTER TABLE "device_contacts" ADD COLUMN     "peer_device_id" UUID;

CREATE INDEX "devices_ip_idx" ON "devices"("ip");

-- The blast-radius walk follows device-to-device contacts in both directions. These two partial
-- indexes hold only contacts whose peer is a registered device (a small share of all contacts:
-- most peers are servers and the internet), and cover the walk so each hop is an index-only scan.
CREATE INDEX "device_contacts_walk_out_idx" ON "device_contacts" ("device_id", "peer_device_id") WHERE "peer_device_id" IS NOT NULL;
CREATE INDEX "device_contacts_walk_in_idx" ON "device_contacts" ("peer_device_id", "device_id") WHERE "peer_device_id" IS NOT NULL;

-- The address a device would be registered under: an IPv4-mapped IPv6 address (::ffff:10.0.0.2,
-- as dual-stack sockets report peers) is the IPv4 address.
CREATE FUNCTION warden_device_address(a inet) RETURNS inet LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN family(a) = 6 AND a << '::ffff:0.0.0.0/96'::inet THEN regexp_replace(host(a), '^::ffff:', '', 'i')::inet ELSE a END
$$;

-- Contacts stored before this migration.
UPDATE "device_contacts" c SET "peer_device_id" = p.id
FROM (SELECT DISTINCT ON (ip) ip, id FROM "devices" WHERE ip IS NOT NULL ORDER BY ip, (status = 'RETIRED'), last_seen_at DESC NULLS LAST, id) p
WHERE p.ip = warden_device_address(c.peer_ip) AND c.peer_device_id IS NULL;

-- A device registered (or readdressed) after contacts with its address were stored takes over the
-- contacts nobody claimed yet. Contacts already resolved keep their device: they happened with it.
CREATE FUNCTION warden_claim_contacts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "device_contacts" SET "peer_device_id" = NEW.id
  WHERE "peer_device_id" IS NULL
    AND ("peer_ip" = NEW.ip OR (family(NEW.ip) = 4 AND "peer_ip" = ('::ffff:' || host(NEW.ip))::inet));
  RETURN NULL;
END;
$$;
CREATE TRIGGER devices_claim_contacts_on_insert AFTER INSERT ON "devices"
  FOR EACH ROW WHEN (NEW.ip IS NOT NULL) EXECUTE FUNCTION warden_claim_contacts();
CREATE TRIGGER devices_claim_contacts_on_readdress AFTER UPDATE OF ip ON "devices"
  FOR EACH ROW WHEN (NEW.ip IS NOT NULL AND NEW.ip IS DISTINCT FROM OLD.ip) EXECUTE FUNCTION warden_claim_contacts();
