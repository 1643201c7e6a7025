-- Raw mail and search documents of up to about 8 KB stay in their row
-- instead of moving out of line (TOAST): those tables hold nothing else
-- of size, nothing lists them, and moving each value out (a new toast
-- value id, the toast table and its index) was a fifth of the server's
-- work in an import, for mail of a few KB. Bodies and headers in messages
-- still move out, so that listings read narrow rows. Applies to rows
-- written from now.
ALTER TABLE message_raw SET (toast_tuple_target = 8160);
ALTER TABLE message_search SET (toast_tuple_target = 8160);
