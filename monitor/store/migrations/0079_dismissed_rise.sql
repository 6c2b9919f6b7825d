-- The level a case was dismissed at as a false alarm ("cảnh báo nhầm"): its story's level when the case was so closed,
-- as the person saw it. Triage reopens a case a person dismissed only when its story, scored with the labels the
-- dismissal wrote, rises above this level (or above its last alert's, the higher) through articles that joined since:
-- the dismissal judged the articles as they stood, not an incident that joins the story later. Cases dismissed before
-- this column take their story's level as it stands now (the best known; triage rescoring it since is rare).

ALTER TABLE cases ADD COLUMN dismissed_level TEXT;
UPDATE cases SET dismissed_level = (SELECT severity FROM stories WHERE stories.id = cases.story_id)
 WHERE status = 'cảnh báo nhầm';
