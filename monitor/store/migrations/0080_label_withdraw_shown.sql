-- Analysts' labels. A label written by mistake (on the wrong article, a field misread) is withdrawn by a later row
-- naming it (withdraws: its id; its own fields all NULL, its note why), as a case's handling record is (0069): the
-- withdrawn label no longer applies anywhere (the clipping, the reports, training, `monitor explain`), and both rows
-- stay in the history.
-- shown_education: whether the article's classification as the monitor showed it when the label was written (the
-- current one, as the listings read it) called it education; 0 for an article not classified then. A label that
-- does not state education (`--sentiment` alone, `--hot no`) corrects one call of the article as it was shown, and
-- `monitor train` reads it with that education rather than with whatever a later model or reclassification says.
-- NULL on the labels written before this column: those keep being read with the article's current classification.

ALTER TABLE labels ADD COLUMN withdraws INTEGER REFERENCES labels(id) ON DELETE CASCADE;
ALTER TABLE labels ADD COLUMN shown_education INTEGER;
CREATE INDEX labels_withdraws ON labels(withdraws) WHERE withdraws IS NOT NULL;
