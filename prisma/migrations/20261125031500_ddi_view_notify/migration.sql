-- Gateways keep each device's DDI poll answer in memory (core/ddi/view-cache.ts) and LISTEN on
-- `ddi_view` for the devices whose answer changed: an update action created, deleted or moved to
-- another status, or the server starting/stopping to want the device's attributes. Every write
-- path is covered because the database, not the code that writes, raises the notification; it is
-- delivered on commit, and one statement sends one notification per 200 devices.

CREATE FUNCTION warden_ddi_view_notify(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  chunk text;
BEGIN
  FOR chunk IN
    SELECT string_agg(id::text, ',')
      FROM (SELECT id, (row_number() OVER () - 1) / 200 AS grp FROM (SELECT DISTINCT unnest(ids) AS id) u) g
     GROUP BY grp
  LOOP
    PERFORM pg_notify('ddi_view', chunk);
  END LOOP;
END;
$$;

CREATE FUNCTION warden_ddi_view_actions_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM warden_ddi_view_notify(ARRAY(SELECT device_id FROM changed_actions));
  RETURN NULL;
END;
$$;

CREATE FUNCTION warden_ddi_view_actions_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM warden_ddi_view_notify(ARRAY(
    SELECT n.device_id FROM new_actions n JOIN old_actions o ON o.id = n.id
     WHERE o.status IS DISTINCT FROM n.status OR o.device_id IS DISTINCT FROM n.device_id
    UNION
    SELECT o.device_id FROM new_actions n JOIN old_actions o ON o.id = n.id
     WHERE o.device_id IS DISTINCT FROM n.device_id));
  RETURN NULL;
END;
$$;

CREATE TRIGGER update_actions_ddi_view_insert AFTER INSERT ON "update_actions"
  REFERENCING NEW TABLE AS changed_actions FOR EACH STATEMENT EXECUTE FUNCTION warden_ddi_view_actions_added();
CREATE TRIGGER update_actions_ddi_view_delete AFTER DELETE ON "update_actions"
  REFERENCING OLD TABLE AS changed_actions FOR EACH STATEMENT EXECUTE FUNCTION warden_ddi_view_actions_added();
CREATE TRIGGER update_actions_ddi_view_update AFTER UPDATE ON "update_actions"
  REFERENCING OLD TABLE AS old_actions NEW TABLE AS new_actions FOR EACH STATEMENT EXECUTE FUNCTION warden_ddi_view_actions_updated();

CREATE FUNCTION warden_ddi_view_config_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ddi_view', NEW.device_id::text);
  RETURN NULL;
END;
$$;

-- A device without a state row is asked for its attributes; a new row only changes that when false.
CREATE TRIGGER ddi_controller_state_view_insert AFTER INSERT ON "ddi_controller_state"
  FOR EACH ROW WHEN (NOT NEW.config_requested) EXECUTE FUNCTION warden_ddi_view_config_changed();
CREATE TRIGGER ddi_controller_state_view_update AFTER UPDATE OF config_requested ON "ddi_controller_state"
  FOR EACH ROW WHEN (OLD.config_requested IS DISTINCT FROM NEW.config_requested) EXECUTE FUNCTION warden_ddi_view_config_changed();
