-- The title a story keeps whatever its oldest member says (NULL: named by what came first, as before). A case takes its
-- story's title, and a merge (`monitor cases merge N --into M`) brought in articles older than the incident's first
-- report, which retitled case M after a follow-up's article: the case that carries on keeps its own title (or the one
-- the person gives with --title), stored here on its story so the clipping, the report and the case agree.

ALTER TABLE stories ADD COLUMN kept_title TEXT;
