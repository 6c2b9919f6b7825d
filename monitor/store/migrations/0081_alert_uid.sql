-- An alert's id for receivers (the webhook's alert_id and X-Monitor-Alert-Id): never reused, unlike the row number,
-- which a database restored from a backup, or a second installation posting to the same receiver, gives again to
-- another alert. Alerts stored before it get one at random too: an in-doubt copy of one still waiting goes out once
-- more under the new id.
ALTER TABLE alerts ADD COLUMN uid TEXT;
UPDATE alerts SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
CREATE UNIQUE INDEX alerts_uid ON alerts(uid);
