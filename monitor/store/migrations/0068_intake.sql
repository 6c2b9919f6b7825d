-- Hot issues that reach the office from outside the crawled press (a Facebook group post, a parent's call to
-- the hotline, a school's report, a TV segment, an outlet not in feeds.yaml), entered by a person with
-- `monitor cases open --title ...`. Each belongs to a story of its own (no article: it is not a crawled page,
-- so it never counts in the press figures), which opens a case as a crawled hot story does. A merge may bring
-- press articles about the same event into that story, or move the item into another case's story.
-- `same_key` (folded title | folded source | the office's local day it happened) is how a second entry of
-- the same thing is noticed.

CREATE TABLE intake_items (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    source_kind TEXT NOT NULL,                  -- mạng xã hội | đường dây nóng | cơ sở giáo dục | truyền hình | báo chí khác | khác
    source      TEXT NOT NULL,                  -- which group, caller, school, channel, outlet
    url         TEXT,                           -- where it can be seen, as the person gave it; never fetched, NULL when none
    happened_at TEXT NOT NULL,                  -- when it appeared or reached the office (UTC)
    summary     TEXT NOT NULL DEFAULT '',
    topic       TEXT NOT NULL DEFAULT '',       -- the plan's topic id when the person gave one (not the story's
                                                -- main_topic: triage's usual spread per topic counts crawled stories)
    entered_at  TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    same_key    TEXT NOT NULL
);
CREATE INDEX intake_items_story ON intake_items(story_id);
CREATE INDEX intake_items_entered ON intake_items(entered_at);
CREATE INDEX intake_items_same ON intake_items(same_key);
