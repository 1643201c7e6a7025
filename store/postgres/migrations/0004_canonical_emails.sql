-- Email addresses are kept canonical (lower-case, see
-- store.CanonicalEmail) from the first PostgreSQL store on: nothing to
-- convert. The migration exists so that both backends list the same
-- migrations (store/sqlite lower-cases what its older builds stored).
SELECT 1;
