-- What a delivery's outcome needs beyond "sent": the recipients an SMTP server refused while it took the
-- message for the others (JSON: address -> the server's answer), and, for alerts, how many attempts the
-- server may have taken without confirming them (the message may have arrived more than once).
-- Alert deliveries also end 'cancelled' (the story's case was dismissed) or 'superseded' (a newer alert
-- of the story went to the channel), and a day's digest 'in-doubt' (see monitor.digest_delivery); the
-- status columns are free text, so only the new columns need adding.

ALTER TABLE alert_deliveries ADD COLUMN refused TEXT NOT NULL DEFAULT '{}';
ALTER TABLE alert_deliveries ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE digests ADD COLUMN refused TEXT NOT NULL DEFAULT '{}';
ALTER TABLE digest_deliveries ADD COLUMN refused TEXT NOT NULL DEFAULT '{}';

-- A case dismissed before dismissing cancelled its story's waiting alerts: cancel them once, here.
UPDATE alert_deliveries SET status = 'cancelled', last_error = 'hồ sơ: cảnh báo nhầm'
 WHERE status = 'pending' AND alert_id IN
       (SELECT a.id FROM alerts a JOIN cases c ON c.story_id = a.story_id WHERE c.status = 'cảnh báo nhầm');
