-- A hot issue entered from outside the press (0068) may be dated by its day alone (`--at 25/11/2026`: the person did
-- not know the hour). happened_at then holds that day's start (or the time of entry, for today), which orders and
-- windows it; day_only says the hour is not known, so no output shows one ("00:00" would be invented).
-- Items stored before this column are taken as given with their hour.

ALTER TABLE intake_items ADD COLUMN day_only INTEGER NOT NULL DEFAULT 0;
