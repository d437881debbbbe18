-- The stream processor rewrites the state and the detection state of every device it hears from,
-- once per batch. Free room in each page lets Postgres update those rows in place (HOT: no new
-- index entries, no dead versions spread over new pages between vacuums). Without it most
-- detection-state updates moved the row to another page and the table grew several times over
-- between vacuums. Pages get the room as they are written.
ALTER TABLE "device_state" SET (fillfactor = 70);
ALTER TABLE "device_detection_state" SET (fillfactor = 70);
