-- Search uses store/search's tokenizer and query language, the same as
-- SQLite's index: the four texts the query language's fields name, as
-- tsvector weights (subject A, senders B, recipients C, body D). The
-- migration's Go step (indexAll) builds every message's document again.
SELECT 1;
