package store

import "context"

// The tables every backend keeps, column by column, as their migrations
// make them: what `smartbcc migrate` copies from one store to another.
// Each backend's tests compare this list with its database, so a column
// added by a migration and forgotten here fails there, instead of being
// dropped by the next move.

// ColumnType is how a column's values travel between backends.
type ColumnType int

// Column types. Values are int64, string, []byte, time.Time (UTC) or bool,
// and nil for NULL.
const (
	ColInt ColumnType = iota
	ColText
	ColBytes
	ColTime
	ColBool
)

// Column is one column of a table.
type Column struct {
	Name string
	Type ColumnType
}

// Table is one table, with its columns in order. Rows are read in Key
// order (a column list); a table without Key is read in the order its
// rows were written, which the backend knows (links).
type Table struct {
	Name    string
	Key     string
	Columns []Column
	// Identity names the column a backend numbers by itself, if any: a
	// copy keeps the numbers and moves the counter past them.
	Identity string
}

func cols(spec ...any) []Column {
	var out []Column
	for i := 0; i < len(spec); i += 2 {
		out = append(out, Column{Name: spec[i].(string), Type: spec[i+1].(ColumnType)})
	}
	return out
}

// Tables lists the tables in an order that copies parents before the rows
// that refer to them. The full-text index is not listed: each backend
// builds its own from the messages.
var Tables = []Table{
	{Name: "company", Key: "id", Columns: cols("id", ColInt, "name", ColText, "slug", ColText, "bcc_domain", ColText, "created_at", ColTime)},
	{Name: "users", Key: "id", Identity: "id", Columns: cols("id", ColInt, "name", ColText, "auto_link", ColBool,
		"default_shared", ColBool, "create_persons", ColBool, "created_at", ColTime)},
	{Name: "addresses", Key: "id", Identity: "id", Columns: cols("id", ColInt, "user_id", ColInt, "email", ColText,
		"is_primary", ColBool, "confirmed", ColBool, "code_hash", ColText, "code_expires", ColTime, "created_at", ColTime, "confirmed_at", ColTime)},
	{Name: "persons", Key: "id", Identity: "id", Columns: cols("id", ColInt, "name", ColText, "org", ColText, "created_at", ColTime)},
	{Name: "person_emails", Key: "person_id, pos", Columns: cols("person_id", ColInt, "pos", ColInt, "email", ColText)},
	{Name: "deals", Key: "id", Identity: "id", Columns: cols("id", ColInt, "title", ColText, "person_id", ColInt,
		"status", ColText, "token", ColText, "created_at", ColTime, "owner_id", ColInt)},
	{Name: "leads", Key: "id", Identity: "id", Columns: cols("id", ColInt, "title", ColText, "person_id", ColInt,
		"status", ColText, "token", ColText, "created_at", ColTime, "owner_id", ColInt, "converted_to", ColInt)},
	{Name: "projects", Key: "id", Identity: "id", Columns: cols("id", ColInt, "title", ColText, "person_id", ColInt,
		"status", ColText, "created_at", ColTime, "owner_id", ColInt)},
	{Name: "threads", Key: "id", Identity: "id", Columns: cols("id", ColInt, "subject", ColText, "deal_id", ColInt,
		"lead_id", ColInt, "project_id", ColInt, "created_at", ColTime)},
	{Name: "messages", Key: "id", Identity: "id", Columns: cols("id", ColInt, "owner_id", ColInt, "thread_id", ColInt,
		"dedup_key", ColText, "message_id", ColText, "in_reply_to", ColText, "subject", ColText, "from_name", ColText,
		"from_email", ColText, "date", ColTime, "received_at", ColTime, "source", ColText, "shared", ColBool,
		"forwarded_by", ColText, "envelope", ColText, "auth_mode", ColText, "auth_dkim", ColText, "auth_spf", ColText,
		"auth_dmarc", ColText, "auth_aligned", ColBool, "size", ColInt, "auth_details", ColText, "headers", ColText,
		"text_body", ColText, "html_body", ColText, "forward_note", ColText, "forwarded_at", ColTime)},
	{Name: "message_raw", Key: "message_id", Columns: cols("message_id", ColInt, "raw", ColBytes)},
	{Name: "message_raw_more", Key: "message_id, seq", Columns: cols("message_id", ColInt, "seq", ColInt, "data", ColBytes)},
	{Name: "participants", Key: "message_id, pos", Columns: cols("message_id", ColInt, "pos", ColInt, "role", ColText,
		"name", ColText, "email", ColText)},
	{Name: "attachments", Key: "message_id, idx", Columns: cols("message_id", ColInt, "idx", ColInt, "name", ColText,
		"content_type", ColText, "size", ColInt, "sha256", ColText, "content", ColBytes)},
	{Name: "message_refs", Key: "message_id, pos", Columns: cols("message_id", ColInt, "pos", ColInt, "kind", ColText, "msgid", ColText)},
	{Name: "links", Columns: cols("message_id", ColInt, "kind", ColText, "item_id", ColInt, "how", ColText, "created_at", ColTime)},
	{Name: "rejections", Key: "id", Identity: "id", Columns: cols("id", ColInt, "at", ColTime, "code", ColText, "reason", ColText,
		"detail", ColText, "envelope", ColText, "from_addr", ColText, "message_id", ColText, "subject", ColText,
		"raw_sha256", ColText, "size", ColInt)},
	{Name: "quarantine", Key: "id", Identity: "id", Columns: cols("id", ColInt, "at", ColTime, "user_id", ColInt,
		"address", ColText, "envelope", ColText, "from_addr", ColText, "subject", ColText, "message_id", ColText,
		"released", ColBool, "released_at", ColTime, "filed_as", ColInt, "raw", ColBytes)},
}

// IDsGiven is the last part of a dump, after Tables, and not a table of
// either backend: one row for each table with an Identity, holding the
// highest id the backend ever gave a row of it, rows removed since
// included. Scripts and administrators name rows by id (person rm 7,
// quarantine release 7), and a store never gives an id twice; a copy
// gives its new rows ids above these, so that a move does not give a
// removed row's id to another row either.
var IDsGiven = Table{Name: "ids_given", Key: "tbl", Columns: cols("tbl", ColText, "last", ColInt)}

// Dumper is implemented by backends whose every row can be read out, for
// `smartbcc migrate`: Dump calls fn with each row of each of Tables, in
// that order, then with the rows of IDsGiven, all from one snapshot.
type Dumper interface {
	Dump(ctx context.Context, fn func(t *Table, row []any) error) error
}

// Loader is implemented by backends that can take a whole store's rows,
// for `smartbcc migrate`. The store must be empty (no company).
type Loader interface {
	// Load runs fill in one write transaction; fill calls put with each
	// row of each of Tables, in order, then with those of IDsGiven. Load
	// then moves the backend's id counters past the copied ids and the
	// ids given, builds the full-text index, and commits only if all of
	// it succeeded.
	Load(ctx context.Context, fill func(put func(t *Table, row []any) error) error) error
}
