package sqlite

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Statement timings: where a store's time goes, by SQL statement. They
// are off unless a process asks for them (SMARTBCC_SQL_TIMINGS, read by
// the commands package), and cost one nil check per statement then.
//
// A statement's time runs from the call until SQLite has produced its
// first row (go-sqlite3 steps once when a query starts) or finished an
// exec; a query's later rows are not counted. COMMIT is counted as its
// own statement. Times are wall clock in the calling goroutine: on a busy
// machine they grow with the load, so compare shares, not absolute times.

// StatementTiming is the total of one statement text.
type StatementTiming struct {
	SQL   string        // the statement, whitespace collapsed
	Count int           // executions
	Total time.Duration // summed time
	Max   time.Duration // the longest execution
}

var timings struct {
	on atomic.Bool
	mu sync.Mutex
	by map[string]*StatementTiming
}

// EnableStatementTimings starts (or restarts) summing statement times in
// this process, for every store it opens.
func EnableStatementTimings() {
	timings.mu.Lock()
	timings.by = map[string]*StatementTiming{}
	timings.mu.Unlock()
	timings.on.Store(true)
}

// StatementTimings returns the totals summed since EnableStatementTimings,
// the largest total first.
func StatementTimings() []StatementTiming {
	timings.mu.Lock()
	defer timings.mu.Unlock()
	out := make([]StatementTiming, 0, len(timings.by))
	for _, t := range timings.by {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Total > out[j].Total })
	return out
}

// WriteStatementTimings prints the totals as a table: share of the summed
// time, total, count, time per execution, statement.
func WriteStatementTimings(w io.Writer) error {
	ts := StatementTimings()
	var sum time.Duration
	for _, t := range ts {
		sum += t.Total
	}
	if _, err := fmt.Fprintf(w, "SQLite statements: %d kinds, %v in all\n%6s %10s %9s %9s %9s  %s\n",
		len(ts), sum.Round(time.Millisecond), "share", "total", "count", "each", "max", "statement"); err != nil {
		return err
	}
	for _, t := range ts {
		share := 0.0
		if sum > 0 {
			share = 100 * float64(t.Total) / float64(sum)
		}
		stmt := t.SQL
		if len(stmt) > 110 {
			stmt = stmt[:110] + "..."
		}
		if _, err := fmt.Fprintf(w, "%5.1f%% %10v %9d %9v %9v  %s\n", share, t.Total.Round(time.Millisecond), t.Count,
			(t.Total / time.Duration(max(t.Count, 1))).Round(100*time.Nanosecond), t.Max.Round(100*time.Microsecond), stmt); err != nil {
			return err
		}
	}
	return nil
}

// timingStart returns the time a statement starts, or the zero time when
// timings are off.
func timingStart() time.Time {
	if !timings.on.Load() {
		return time.Time{}
	}
	return time.Now()
}

// timingEnd adds the statement's time since start (a no-op for a zero
// start).
func timingEnd(query string, start time.Time) {
	if start.IsZero() {
		return
	}
	d := time.Since(start)
	key := strings.Join(strings.Fields(query), " ")
	timings.mu.Lock()
	defer timings.mu.Unlock()
	t := timings.by[key]
	if t == nil {
		t = &StatementTiming{SQL: key}
		timings.by[key] = t
	}
	t.Count++
	t.Total += d
	t.Max = max(t.Max, d)
}
