DROP INDEX "devices_ip_idx";

CREATE INDEX "devices_ip_id_idx" ON "devices"("ip", "id");

-- The stream's contact upsert resolves a peer address to the active device with the lowest id
-- (an index walk on (ip, id), no sort per row); a retired device no longer claims contacts.
DROP TRIGGER devices_claim_contacts_on_insert ON "devices";
DROP TRIGGER devices_claim_contacts_on_readdress ON "devices";
CREATE TRIGGER devices_claim_contacts_on_insert AFTER INSERT ON "devices"
  FOR EACH ROW WHEN (NEW.ip IS NOT NULL AND NEW.status <> 'RETIRED') EXECUTE FUNCTION warden_claim_contacts();
CREATE TRIGGER devices_claim_contacts_on_readdress AFTER UPDATE OF ip ON "devices"
  FOR EACH ROW WHEN (NEW.ip IS NOT NULL AND NEW.ip IS DISTINCT FROM OLD.ip AND NEW.status <> 'RETIRED') EXECUTE FUNCTION warden_claim_contacts();
