-- A refusal is recorded once per raw bytes and reason: importing the same
-- archive again finds the earlier record through this index instead of
-- adding another.
CREATE INDEX rejections_raw ON rejections (raw_sha256, reason);
