-- When each attempt to deliver the clipping handed it over: written just before the message itself goes to
-- the mail server (after its 354). An attempt left 'sending' without it belongs to a run that stopped (a kill,
-- a power cut) before anything left, found once it can no longer be a live run's (SENDING_NOW): the day is
-- simply sent again. With it, the clipping may have arrived, and it waits in doubt for a person's --resend.
-- Attempts recorded before this column existed are taken as handed over: never guessed, never resent.

ALTER TABLE digest_deliveries ADD COLUMN handed_over_at TEXT;
UPDATE digest_deliveries SET handed_over_at = started_at WHERE status != 'failed';
