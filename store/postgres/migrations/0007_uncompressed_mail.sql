-- Raw mail and bodies are stored uncompressed, as SQLite stores them:
-- PostgreSQL's default pglz compression of every large value cost more
-- than half of the time of an import (and mail with attachments, mostly
-- base64, compresses poorly anyway). Large values still move out of line
-- (TOAST), so listings never read them. Applies to rows written from now.
ALTER TABLE message_raw ALTER COLUMN raw SET STORAGE EXTERNAL;
ALTER TABLE message_raw_more ALTER COLUMN data SET STORAGE EXTERNAL;
ALTER TABLE messages ALTER COLUMN text_body SET STORAGE EXTERNAL;
ALTER TABLE messages ALTER COLUMN html_body SET STORAGE EXTERNAL;
ALTER TABLE messages ALTER COLUMN headers SET STORAGE EXTERNAL;
ALTER TABLE attachments ALTER COLUMN content SET STORAGE EXTERNAL;
