package postgres

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/smartbcc/smartbcc/store"
)

// The queries of this package are written with ? placeholders, as
// store/sqlite's, so that the two read alike; rebind turns them into
// PostgreSQL's $1, $2... once per query text. No query uses ? otherwise.
var rebound sync.Map // query -> rebound query

func rebind(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	out := b.String()
	rebound.Store(q, out)
	return out
}

// pgTime returns t as stored (store.StoreTime), or nil (NULL) for the zero
// time and for years the store does not keep (a garbled Date header).
func pgTime(t time.Time) any {
	t = store.StoreTime(t)
	if t.IsZero() {
		return nil
	}
	return t
}

// pgTimePtr is pgTime for optional times.
func pgTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return pgTime(*t)
}

// timeScanner reads a timestamptz into a time.Time in UTC (zero for NULL).
type timeScanner struct{ t *time.Time }

func scanTime(t *time.Time) timeScanner { return timeScanner{t} }

func (s timeScanner) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*s.t = time.Time{}
	case time.Time:
		*s.t = v.UTC()
	default:
		return fmt.Errorf("cannot read %T as a time", v)
	}
	return nil
}

// timePtrScanner reads an optional time: nil for NULL.
type timePtrScanner struct{ t **time.Time }

func scanTimePtr(t **time.Time) timePtrScanner { return timePtrScanner{t} }

func (s timePtrScanner) Scan(v any) error {
	if v == nil {
		*s.t = nil
		return nil
	}
	var t time.Time
	if err := scanTime(&t).Scan(v); err != nil {
		return err
	}
	*s.t = &t
	return nil
}

// jsonValue marshals v for a JSON column.
func jsonValue(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// jsonScanner unmarshals a JSON column into v; NULL and "" leave v as is.
type jsonScanner struct{ v any }

func scanJSON(v any) jsonScanner { return jsonScanner{v} }

func (s jsonScanner) Scan(src any) error {
	var b []byte
	switch src := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(src)
	case []byte:
		b = src
	default:
		return fmt.Errorf("cannot read %T as JSON", src)
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, s.v)
}

// nullString stores "" as NULL, for optional unique or indexed columns.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullID stores 0 as NULL, for optional foreign keys.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// bytesScanner reads a text or bytea column as bytes (nil for NULL).
type bytesScanner struct{ b *[]byte }

func scanBytes(b *[]byte) bytesScanner { return bytesScanner{b} }

func (s bytesScanner) Scan(src any) error {
	switch src := src.(type) {
	case nil:
		*s.b = nil
	case string:
		*s.b = []byte(src)
	case []byte:
		*s.b = append([]byte(nil), src...)
	default:
		return fmt.Errorf("cannot read %T as bytes", src)
	}
	return nil
}
