-- Contact rows are rewritten as often as device state (a device's flows, every stream batch). With
-- a quarter of each page free, about three quarters of those updates stay in place (HOT), out of
-- the table's four indexes, and the table stays smaller between vacuums (10% free kept only about
-- half of them in place).
ALTER TABLE "device_contacts" SET (fillfactor = 75);
