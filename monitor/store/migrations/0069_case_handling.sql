-- What the office did about a hot issue, as the communication plan asks it to account for each month ("kết quả
-- xử lý"): reported it to a competent authority, answered the press (its spokesperson, on whose direction), or
-- corrected false information in public. Each act is one line of the case's history, so who recorded it and when
-- are kept as for any change; `done_on` is the day it was done, which may be days before it was recorded.
-- action: 'reported' (party: the authority), 'press' (party: the outlet), 'corrected'; NULL on the other lines.
-- A record made by mistake is withdrawn by a later line naming it (withdraws: its id): both stay in the history.

ALTER TABLE case_events ADD COLUMN action TEXT;
ALTER TABLE case_events ADD COLUMN party TEXT NOT NULL DEFAULT '';
ALTER TABLE case_events ADD COLUMN done_on TEXT;
ALTER TABLE case_events ADD COLUMN spokesperson TEXT NOT NULL DEFAULT '';
ALTER TABLE case_events ADD COLUMN directed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE case_events ADD COLUMN withdraws INTEGER REFERENCES case_events(id);
