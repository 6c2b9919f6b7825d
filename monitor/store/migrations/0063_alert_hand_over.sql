-- When the current attempt of an alert delivery began handing the alert over: written just before the
-- message leaves (the e-mail after DATA, the webhook or Telegram request), cleared when the attempt's
-- outcome is recorded. A delivery found with it still set once its claim's lease is over belongs to a
-- process that died in between: the alert may have arrived, so the next attempt is counted in doubt.
-- A process that died before the hand-over leaves it NULL, and the alert is simply sent.

ALTER TABLE alert_deliveries ADD COLUMN handing_over_at TEXT;
