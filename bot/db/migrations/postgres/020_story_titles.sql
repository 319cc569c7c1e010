-- A short title heads every push and confirmation: the page's headline (set by the
-- importer) or an editor's /settitle. `title` stays the page's full title.
ALTER TABLE stories ADD COLUMN short_title TEXT;
-- When an editor last changed what readers see (a post, a correction, a summary, a
-- title). Null while a story holds only what pages brought: /summary then shows no
-- "as of" time rather than the moment of the import.
ALTER TABLE stories ADD COLUMN edited_at TEXT;
