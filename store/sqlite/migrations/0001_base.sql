-- The base schema. Times are RFC 3339 UTC text with fixed-width
-- nanoseconds (see time.go), so that text order is time order.
-- Booleans are 0/1 integers. JSON columns hold what the store package
-- defines as JSON.

CREATE TABLE company (
	id         INTEGER PRIMARY KEY CHECK (id = 1), -- exactly one company
	name       TEXT NOT NULL,
	slug       TEXT NOT NULL,
	bcc_domain TEXT NOT NULL,
	created_at TEXT NOT NULL
);

CREATE TABLE users (
	id             INTEGER PRIMARY KEY,
	name           TEXT NOT NULL,
	auto_link      INTEGER NOT NULL DEFAULT 0 CHECK (auto_link IN (0, 1)),
	default_shared INTEGER NOT NULL DEFAULT 0 CHECK (default_shared IN (0, 1)),
	create_persons INTEGER NOT NULL DEFAULT 0 CHECK (create_persons IN (0, 1)),
	created_at     TEXT NOT NULL
);

-- Sender addresses. A user's email is its primary address; an address
-- belongs to one user at most, whatever its case.
CREATE TABLE addresses (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	email        TEXT NOT NULL UNIQUE COLLATE NOCASE,
	is_primary   INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
	confirmed    INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1)),
	code_hash    TEXT,
	code_expires TEXT,
	created_at   TEXT NOT NULL,
	confirmed_at TEXT
);
CREATE INDEX addresses_user ON addresses (user_id);
CREATE UNIQUE INDEX addresses_one_primary ON addresses (user_id) WHERE is_primary = 1;
CREATE INDEX addresses_code_hash ON addresses (code_hash) WHERE code_hash IS NOT NULL;

CREATE TABLE persons (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	org        TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);

-- Not unique across persons: two contacts may share an address.
CREATE TABLE person_emails (
	person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	pos       INTEGER NOT NULL,
	email     TEXT NOT NULL COLLATE NOCASE,
	PRIMARY KEY (person_id, pos),
	UNIQUE (person_id, email)
);
CREATE INDEX person_emails_email ON person_emails (email);

-- Deals, leads and projects have the same shape but separate tables, so
-- that each kind numbers its items from 1.
CREATE TABLE deals (
	id         INTEGER PRIMARY KEY,
	title      TEXT NOT NULL,
	person_id  INTEGER REFERENCES persons (id),
	status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost', 'deleted')),
	token      TEXT UNIQUE,
	created_at TEXT NOT NULL
);
CREATE INDEX deals_person ON deals (person_id);

CREATE TABLE leads (
	id         INTEGER PRIMARY KEY,
	title      TEXT NOT NULL,
	person_id  INTEGER REFERENCES persons (id),
	status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost', 'deleted')),
	token      TEXT UNIQUE,
	created_at TEXT NOT NULL
);
CREATE INDEX leads_person ON leads (person_id);

-- Projects have no Bcc address of their own, hence no token.
CREATE TABLE projects (
	id         INTEGER PRIMARY KEY,
	title      TEXT NOT NULL,
	person_id  INTEGER REFERENCES persons (id),
	status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost', 'deleted')),
	created_at TEXT NOT NULL
);
CREATE INDEX projects_person ON projects (person_id);

CREATE TABLE threads (
	id         INTEGER PRIMARY KEY,
	subject    TEXT NOT NULL, -- normalised
	deal_id    INTEGER REFERENCES deals (id),
	lead_id    INTEGER REFERENCES leads (id),
	project_id INTEGER REFERENCES projects (id),
	created_at TEXT NOT NULL
);
CREATE INDEX threads_subject ON threads (subject);

CREATE TABLE messages (
	id           INTEGER PRIMARY KEY,
	owner_id     INTEGER NOT NULL REFERENCES users (id),
	thread_id    INTEGER NOT NULL REFERENCES threads (id),
	dedup_key    TEXT NOT NULL,
	message_id   TEXT NOT NULL DEFAULT '', -- the header, without <>
	in_reply_to  TEXT NOT NULL DEFAULT '',
	subject      TEXT NOT NULL DEFAULT '',
	from_name    TEXT NOT NULL DEFAULT '',
	from_email   TEXT NOT NULL DEFAULT '',
	date         TEXT, -- NULL: no usable Date header
	received_at  TEXT NOT NULL,
	source       TEXT NOT NULL,
	shared       INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
	forwarded_by TEXT NOT NULL DEFAULT '',
	envelope     TEXT NOT NULL DEFAULT '{}', -- JSON store.Envelope
	auth_mode    TEXT NOT NULL DEFAULT '',
	auth_dkim    TEXT NOT NULL DEFAULT '',
	auth_spf     TEXT NOT NULL DEFAULT '',
	auth_dmarc   TEXT NOT NULL DEFAULT '',
	auth_aligned INTEGER NOT NULL DEFAULT 0 CHECK (auth_aligned IN (0, 1)),
	size         INTEGER NOT NULL DEFAULT 0,
	-- The large columns come last: SQLite stops decoding a row at the last
	-- column a query needs, so listings never touch their overflow pages.
	auth_details TEXT, -- JSON as the auth package produced it
	headers      TEXT, -- JSON {"Name": ["value"]}
	text_body    TEXT NOT NULL DEFAULT '',
	html_body    TEXT NOT NULL DEFAULT '',
	UNIQUE (owner_id, dedup_key)
);
-- Listings sort by the Date header, falling back to the arrival time.
CREATE INDEX messages_sort ON messages (coalesce(date, received_at), id);
CREATE INDEX messages_owner_sort ON messages (owner_id, coalesce(date, received_at), id);
CREATE INDEX messages_thread ON messages (thread_id);

-- The bytes as received, apart from the row so that listing never reads them.
CREATE TABLE message_raw (
	message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
	raw        BLOB NOT NULL
);

CREATE TABLE participants (
	message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	pos        INTEGER NOT NULL,
	role       TEXT NOT NULL,
	name       TEXT NOT NULL DEFAULT '',
	email      TEXT NOT NULL COLLATE NOCASE,
	PRIMARY KEY (message_id, pos)
);
CREATE INDEX participants_email ON participants (email);

CREATE TABLE attachments (
	message_id   INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	idx          INTEGER NOT NULL,
	name         TEXT NOT NULL DEFAULT '',
	content_type TEXT NOT NULL DEFAULT '',
	size         INTEGER NOT NULL DEFAULT 0,
	sha256       TEXT NOT NULL DEFAULT '',
	content      BLOB, -- last, for the same reason as the message bodies
	PRIMARY KEY (message_id, idx)
);

-- Every Message-ID a message names (its own, In-Reply-To, References), so
-- that a thread is found through any of them, in whichever order the
-- messages arrive. The thread is the naming message's thread.
CREATE TABLE message_refs (
	message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	pos        INTEGER NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('self', 'in_reply_to', 'references')),
	msgid      TEXT NOT NULL,
	PRIMARY KEY (message_id, pos)
);
CREATE INDEX message_refs_msgid ON message_refs (msgid);

-- item_id points into deals, leads, projects or persons according to kind,
-- so it cannot carry a foreign key; the store checks it on insert.
CREATE TABLE links (
	message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	kind       TEXT NOT NULL CHECK (kind IN ('deal', 'lead', 'project', 'person')),
	item_id    INTEGER NOT NULL,
	how        TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (message_id, kind, item_id)
);
CREATE INDEX links_item ON links (kind, item_id);

CREATE TABLE rejections (
	id         INTEGER PRIMARY KEY,
	at         TEXT NOT NULL,
	code       TEXT NOT NULL,
	reason     TEXT NOT NULL,
	detail     TEXT NOT NULL DEFAULT '',
	envelope   TEXT NOT NULL DEFAULT '{}',
	from_addr  TEXT NOT NULL DEFAULT '',
	message_id TEXT NOT NULL DEFAULT '',
	subject    TEXT NOT NULL DEFAULT '',
	raw_sha256 TEXT NOT NULL DEFAULT '',
	size       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX rejections_at ON rejections (at);

CREATE TABLE quarantine (
	id          INTEGER PRIMARY KEY,
	at          TEXT NOT NULL,
	user_id     INTEGER NOT NULL REFERENCES users (id),
	address     TEXT NOT NULL,
	envelope    TEXT NOT NULL DEFAULT '{}',
	from_addr   TEXT NOT NULL DEFAULT '',
	subject     TEXT NOT NULL DEFAULT '',
	message_id  TEXT NOT NULL DEFAULT '',
	released    INTEGER NOT NULL DEFAULT 0 CHECK (released IN (0, 1)),
	released_at TEXT,
	filed_as    INTEGER REFERENCES messages (id),
	raw         BLOB NOT NULL
);
CREATE INDEX quarantine_released ON quarantine (released, id);
