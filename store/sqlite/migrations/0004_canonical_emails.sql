-- Email addresses are kept in canonical form (lower-case; see
-- store.CanonicalEmail) and compared exactly, as on every backend, instead
-- of relying on COLLATE NOCASE. The NOCASE columns stay (SQLite cannot
-- change a column's collation in place); on lower-case values they change
-- nothing. lower() folds ASCII only, as NOCASE did, so no two addresses
-- NOCASE kept apart can collide here. (The comparisons say COLLATE
-- BINARY: under the column's NOCASE every value equals its lower case.)
UPDATE addresses SET email = lower(email) WHERE email COLLATE BINARY != lower(email);
UPDATE person_emails SET email = lower(email) WHERE email COLLATE BINARY != lower(email);
UPDATE participants SET email = lower(email) WHERE email COLLATE BINARY != lower(email);
UPDATE messages SET from_email = lower(from_email) WHERE from_email COLLATE BINARY != lower(from_email);
UPDATE messages SET forwarded_by = lower(forwarded_by) WHERE forwarded_by COLLATE BINARY != lower(forwarded_by);
UPDATE quarantine SET address = lower(address) WHERE address COLLATE BINARY != lower(address);
