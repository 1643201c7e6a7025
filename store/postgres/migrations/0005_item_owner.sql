-- Items belong to a user (their owner; NULL: nobody in particular), and a
-- lead converted to a deal names that deal: mail to the lead's Bcc
-- address then files into the deal. A removed item keeps its row with
-- status 'deleted', so links and threads keep their history.
ALTER TABLE deals ADD COLUMN owner_id bigint REFERENCES users (id);
ALTER TABLE leads ADD COLUMN owner_id bigint REFERENCES users (id);
ALTER TABLE projects ADD COLUMN owner_id bigint REFERENCES users (id);
ALTER TABLE leads ADD COLUMN converted_to bigint REFERENCES deals (id);
CREATE INDEX deals_owner ON deals (owner_id);
CREATE INDEX leads_owner ON leads (owner_id);
CREATE INDEX projects_owner ON projects (owner_id);
