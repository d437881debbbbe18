-- The `ddi_view` update trigger joined its old and new transition tables on the action id. PL/pgSQL
-- plans that query once per session and keeps the plan; transition tables carry no statistics, so
-- when a session's first UPDATE on update_actions touched few rows (the orchestrator's time-out
-- statement usually moves none), the kept plan was a nested loop, and a later statement moving a
-- wave of 5,000 actions compared 25 million row pairs, twice: seconds inside the transaction that
-- dispatches the wave. Without a join the cost stays linear whatever plan is kept: an action whose
-- status or device changed shows up twice among the distinct (id, device, status) rows of both
-- tables, once per version, and each of its devices (old and new) is announced.

CREATE OR REPLACE FUNCTION warden_ddi_view_actions_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM warden_ddi_view_notify(ARRAY(
    SELECT device_id FROM (
      SELECT device_id, count(*) OVER (PARTITION BY id) AS versions
        FROM (SELECT id, device_id, status FROM old_actions
              UNION
              SELECT id, device_id, status FROM new_actions) v
    ) w
     WHERE versions > 1));
  RETURN NULL;
END;
$$;
