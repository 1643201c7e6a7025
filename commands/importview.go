package commands

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/clipperhouse/displaywidth"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/mailfile"
)

// What a person running an archive import sees (docs/cli.md, "Ingest"):
//
//   - on a terminal, one progress line on stderr, redrawn in place:
//     messages done (of an estimated total), stored, duplicate and
//     refused counts, messages per second and the time left;
//   - a line per problem on stderr, each naming its input
//     (archive.mbox:#1234, or the file): mail refused for a reason someone
//     may act on, mail held for a confirmation, inputs that are not mail;
//     expected refusals (list and bulk mail, auto-replies, bounces, loops)
//     are only counted;
//   - a line per message on stdout only with -v or --explain;
//   - a summary at the end, the same for a file, a directory or stdin.
//
// -q leaves the problems alone. Without a terminal there is no progress
// line. The counts come from ingest.Summary (C's accounting); this only
// renders them.

// importView prints an archive import. Its methods are called from one
// goroutine (ingest.Run's OnResult) and from the progress ticker, hence
// the lock.
type importView struct {
	mu      sync.Mutex
	out     io.Writer // per-message lines (-v)
	errOut  io.Writer // problems, progress and summary
	quiet   bool
	verbose bool
	explain bool
	dryRun  bool
	json    bool

	// progress line (nil writer: none)
	progress   io.Writer
	width      int
	drawn      bool // a progress line is on the screen
	lastDraw   time.Time
	start      time.Time
	totalBytes int64                                     // of the inputs, -1 when unknown (stdin)
	read       func() (count int, bytes int64, all bool) // what the reader has read; all: everything

	done, stored, duplicate, refused, held, skipped int

	noClientIP int // refusals for lack of a client IP (said once)
	noBcc      int // refusals for lack of a Bcc recipient (said once)
}

// expectedRefusals are refusals an archive is full of by nature: counted
// in the summary, not listed one by one.
var expectedRefusals = map[string]bool{
	"bulk": true, "auto_reply": true, "bounce": true, "loop": true, "own_mail": true,
}

// lineClear returns to the start of the line and clears it.
const lineClear = "\r\x1b[K"

// result takes one result of the run.
func (v *importView) result(r ingest.Result, disp ingest.Disposition) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.done++
	switch r.Status {
	case ingest.StatusStored:
		v.stored++
	case ingest.StatusDuplicate:
		v.duplicate++
	case ingest.StatusRejected:
		v.refused++
	case ingest.StatusQuarantined:
		v.held++
	case ingest.StatusSkipped:
		v.skipped++
	}
	if (v.verbose || v.explain) && !v.json {
		v.line(v.out, v.messageLine(r))
		if v.explain {
			for _, e := range r.Explain {
				v.line(v.out, "  - "+printable(e, false))
			}
		}
	}
	// What a sender wrote (a Message-ID, an address, a date quoted in
	// the reason) is shown with its control characters made visible.
	if p := v.problem(r, disp); p != "" {
		v.line(v.errOut, printable(p, false))
	}
	v.draw(false)
}

// messageLine is a result as -v prints it: status, id, input, Message-ID,
// reason and links.
func (v *importView) messageLine(r ingest.Result) string {
	var b strings.Builder
	status := r.Status
	if v.dryRun && status == ingest.StatusStored {
		status = "would store"
	}
	b.WriteString(status)
	if r.ID != 0 && !v.dryRun { // nothing stored, no id to name
		fmt.Fprintf(&b, " #%d", r.ID)
	}
	if r.Origin != "" {
		b.WriteString(" " + r.Origin)
	}
	if r.Status != ingest.StatusSkipped {
		b.WriteString(" " + displayID(r.MessageID))
	}
	if r.Reason != "" {
		fmt.Fprintf(&b, " (%s)", r.Reason)
	}
	for _, l := range r.Links {
		fmt.Fprintf(&b, " %s:%d/%s", l.Type, l.ID, l.How)
	}
	return b.String()
}

// problem is the stderr line for a result someone may have to act on, ""
// for none.
func (v *importView) problem(r ingest.Result, disp ingest.Disposition) string {
	origin := r.Origin
	if origin == "" {
		origin = "stdin"
	}
	switch {
	case r.Status == ingest.StatusSkipped && r.Reason == mailfile.SkipDbox:
		// Said once per store directory, with what to do about it.
		_, why, _ := strings.Cut(lastExplain(r), "("+r.Reason+"): ")
		return fmt.Sprintf("%s: skipped (%s): %s", origin, r.Reason, why)
	case r.Status == ingest.StatusSkipped && r.Reason == mailfile.SkipDeleted:
		// Nothing to act on, and an uncompacted Thunderbird folder
		// holds thousands: the summary counts them and its note says
		// how to import them (--json lists each).
		return ""
	case r.Status == ingest.StatusSkipped:
		return fmt.Sprintf("%s: skipped (%s)", origin, r.Reason)
	case r.Status == ingest.StatusQuarantined:
		return fmt.Sprintf("%s: held until its sender address is confirmed (%s): %s", origin, r.Reason, lastExplain(r))
	case r.Status != ingest.StatusRejected || expectedRefusals[r.Reason]:
		return ""
	case r.Reason == "auth_failed" && noClientIP(r):
		v.noClientIP++
		if v.noClientIP > 1 {
			return ""
		}
		return fmt.Sprintf("%s: refused (auth_failed): an archive carries no client IP, so SPF cannot pass and mail without a valid aligned DKIM signature is refused; "+
			"this is said once for all such mail: import with --auth off, or with --auth trust-authres=ID to trust your mail server's Authentication-Results", origin)
	case r.Reason == "unknown_recipient" && strings.Contains(lastExplain(r), ingest.NoBccRecipient):
		// An archive of a user's own mail imported without --user:
		// every message would get this line.
		v.noBcc++
		if v.noBcc > 1 {
			return ""
		}
		return fmt.Sprintf("%s: refused (unknown_recipient): %s; this is said once for all such mail: "+
			"to import a user's own mail, which names no Bcc address, give --user (the owner of every message)", origin, ingest.NoBccRecipient)
	case r.Refused == ingest.RefusedData:
		detail := lastExplain(r)
		for _, p := range []string{r.Reason + ": ", "mailfile: ", "not a mail message: "} {
			detail = strings.TrimPrefix(detail, p)
		}
		// Counted as refused (not_a_message), as the summary says.
		return fmt.Sprintf("%s: refused (%s): not mail%s (%s)", origin, r.Reason, fileKind(origin), detail)
	}
	return fmt.Sprintf("%s: refused (%s): %s", origin, r.Reason, lastExplain(r))
}

// fileKind says what a file that is not mail looks like: " (a SQLite
// database)", " (a binary file)", or "" when it cannot tell or the
// refusal says it (a compressed file).
func fileKind(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case mailfile.Packed(head):
		return "" // the refusal says what it is packed as, and what to do
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return ": a SQLite database"
	case bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(head) && n < 512:
		return ": a binary file"
	}
	return ""
}

// noClientIP reports whether r was refused by authentication in an import
// where SPF could not be checked for lack of a client IP.
func noClientIP(r ingest.Result) bool {
	for _, e := range r.Explain {
		if e == ingest.ExplainNoClientIP {
			return true
		}
	}
	return false
}

func lastExplain(r ingest.Result) string {
	if len(r.Explain) > 0 {
		return redactTokens(r.Explain[len(r.Explain)-1])
	}
	return r.Reason
}

// line prints a permanent line, taking the progress line away first (it
// comes back at the next draw).
func (v *importView) line(w io.Writer, s string) {
	if v.drawn && v.progress != nil {
		io.WriteString(v.progress, lineClear)
		v.drawn = false
	}
	fmt.Fprintln(w, s)
}

// tick redraws the progress line (rate and time left move even when no
// message finishes).
func (v *importView) tick() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.draw(true)
}

// draw redraws the progress line at most ten times a second.
func (v *importView) draw(force bool) {
	if v.progress == nil {
		return
	}
	now := time.Now()
	if !force && v.drawn && now.Sub(v.lastDraw) < 100*time.Millisecond {
		return
	}
	v.lastDraw = now
	s := v.progressText(now)
	if v.width > 1 && displaywidth.String(s) > v.width-1 {
		s = displaywidth.TruncateString(s, v.width-1, "…")
	}
	io.WriteString(v.progress, lineClear+s)
	v.drawn = true
}

// progressText is the progress line:
//
//	1,234/~5,000 (24%)  stored 1,100  duplicate 100  refused 34  812 msg/s  ETA 0:04
//
// The total is estimated from what the reader has read so far (messages
// and bytes) against the inputs' size, exact once everything is read; it
// is unknown on stdin.
func (v *importView) progressText(now time.Time) string {
	var b strings.Builder
	b.WriteString(thousands(v.done))
	elapsed := now.Sub(v.start).Seconds()
	total := 0
	if v.totalBytes > 0 && v.read != nil {
		if count, bytes, all := v.read(); count > 0 && bytes > 0 {
			total = max(v.done, int(float64(count)*float64(v.totalBytes)/float64(bytes)+0.5))
			approx := "~"
			if all {
				total, approx = count, ""
			}
			fmt.Fprintf(&b, "/%s%s (%d%%)", approx, thousands(total), v.done*100/total)
		}
	}
	fmt.Fprintf(&b, "  stored %s  duplicate %s  refused %s", thousands(v.stored), thousands(v.duplicate), thousands(v.refused))
	if v.held > 0 {
		fmt.Fprintf(&b, "  held %s", thousands(v.held))
	}
	if v.skipped > 0 {
		fmt.Fprintf(&b, "  skipped %s", thousands(v.skipped))
	}
	if elapsed > 0.2 && v.done > 0 {
		rate := float64(v.done) / elapsed
		fmt.Fprintf(&b, "  %s msg/s", thousands(int(rate+0.5)))
		if total > v.done && elapsed > 1 {
			b.WriteString("  ETA " + clock(time.Duration(float64(total-v.done)/rate*float64(time.Second))))
		}
	}
	return b.String()
}

// finish takes the progress line away for good.
func (v *importView) finish() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.drawn && v.progress != nil {
		io.WriteString(v.progress, lineClear)
	}
	v.drawn = false
	v.progress = nil
}

// summary is what the run did, in one line, then the problems of the run
// as a whole:
//
//	1,234 messages in 2.1s (587 msg/s): 1,100 stored, 100 duplicate, 34 refused (30 bulk, 4 auth_failed), 0 held, 0 skipped
func (v *importView) summary(sum ingest.Summary, elapsed time.Duration) {
	var b strings.Builder
	rate := ""
	if s := elapsed.Seconds(); s > 0 {
		rate = fmt.Sprintf(" (%s msg/s)", thousands(int(float64(sum.Total)/s+0.5)))
	}
	noun := "messages"
	if sum.Total == 1 {
		noun = "message"
	}
	fmt.Fprintf(&b, "%s %s in %s%s: ", thousands(sum.Total), noun, roundDuration(elapsed), rate)
	stored := thousands(sum.Stored) + " stored"
	if v.dryRun {
		stored = thousands(sum.Stored) + " would be stored"
	}
	parts := []string{stored, thousands(sum.Duplicate) + " duplicate", thousands(sum.Rejected) + " refused" + byReason(sum.Refused)}
	if sum.Quarantined > 0 {
		parts = append(parts, thousands(sum.Quarantined)+" held for a confirmation")
	}
	if sum.Confirmed > 0 {
		parts = append(parts, thousands(sum.Confirmed)+" confirmed an address")
	}
	parts = append(parts, thousands(sum.Skipped)+" skipped"+byReason(sum.SkippedBy))
	if len(sum.Unread) > 0 {
		parts = append(parts, thousands(len(sum.Unread))+" not read")
	}
	b.WriteString(strings.Join(parts, ", "))
	if v.dryRun {
		b.WriteString("; nothing was stored (--dry-run)")
	}
	fmt.Fprintln(v.errOut, b.String())
	printRunProblems(v.errOut, sum)
}

// byReason is " (30 bulk, 4 auth_failed)", most first.
func byReason(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %s", thousands(m[k]), k)
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// thousands writes n with comma separators: 12,345.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// clock writes a duration as h:mm:ss or m:ss.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func roundDuration(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return d.Round(time.Second).String()
	}
	return d.Round(time.Minute).String()
}
