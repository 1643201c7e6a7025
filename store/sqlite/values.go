package sqlite

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/smartbcc/smartbcc/store"
)

// timeLayout is RFC 3339 in UTC with all nine fractional digits. The fixed
// width makes text order equal time order, so indexes sort correctly;
// time.RFC3339Nano drops trailing zeros and would not.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// formatTime returns t as stored, UTC truncated to microseconds as in
// every backend (store.StoreTime), or nil (NULL) for the zero time and for
// years RFC 3339 cannot write (a garbled Date header). The layout keeps
// nine digits, so that text order stays time order next to the times older
// builds wrote with nanoseconds.
func formatTime(t time.Time) driver.Value {
	if t.IsZero() {
		return nil
	}
	t = store.StoreTime(t)
	if t.IsZero() {
		return nil
	}
	return t.Format(timeLayout)
}

// formatTimePtr is formatTime for optional times.
func formatTimePtr(t *time.Time) driver.Value {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

// timeScanner reads a stored time into a time.Time (zero for NULL).
type timeScanner struct{ t *time.Time }

func scanTime(t *time.Time) timeScanner { return timeScanner{t} }

func (s timeScanner) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*s.t = time.Time{}
		return nil
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	}
	return fmt.Errorf("cannot read %T as a time", v)
}

func (s timeScanner) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("stored time %q: %w", v, err)
	}
	*s.t = t.UTC()
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
func nullString(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

// nullID stores 0 as NULL, for optional foreign keys.
func nullID(id int64) driver.Value {
	if id == 0 {
		return nil
	}
	return id
}

// bytesScanner reads a TEXT or BLOB column as bytes (nil for NULL).
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
