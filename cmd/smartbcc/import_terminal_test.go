package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/smartbcc/smartbcc/commands/ptytest"
)

// progressLine is the import's progress line as docs/cli.md shows it:
// done/total (estimated), the counts, messages (not bytes) per second.
var progressLine = regexp.MustCompile(`^[0-9,]+/~?[0-9,]+ \([0-9]+%\)  stored [0-9,]+  duplicate [0-9,]+  refused [0-9,]+(  [0-9,]+ msg/s(  ETA [0-9:]+)?)?$`)

// bigArchive writes an mbox of n small messages from ann.
func bigArchive(t *testing.T, dir string, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "From ann@acme.example Mon Nov  2 09:00:00 2026\nFrom: Ann Seller <ann@acme.example>\nTo: bob@customer.example\n"+
			"Subject: Offer %d\nMessage-ID: <offer-%d@acme.example>\nDate: Mon, 02 Nov 2026 09:00:00 +0000\n\nThe price list, version %d.\n\n", i, i, i)
	}
	path := filepath.Join(dir, "big.mbox")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// onTerminal starts smartbcc on a pseudo-terminal cols wide and returns a
// function that waits for it and gives what it wrote and its exit status,
// and one that reports what it has written so far.
func onTerminal(t *testing.T, cols uint16, args ...string) (wait func() ([]byte, int), soFar func() []byte, ptmx *os.File) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8")
	ptmx, err := pty.StartWithAttrs(cmd, &pty.Winsize{Cols: cols, Rows: 40}, &syscall.SysProcAttr{Setsid: true, Setctty: true})
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no pseudo-terminal: %v", err)
		}
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	var mu sync.Mutex
	var raw bytes.Buffer
	copied := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			mu.Lock()
			raw.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				close(copied)
				return
			}
		}
	}()
	soFar = func() []byte {
		mu.Lock()
		defer mu.Unlock()
		return bytes.Clone(raw.Bytes())
	}
	wait = func() ([]byte, int) {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(5 * time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("smartbcc %v did not end", args)
		}
		<-copied
		ptmx.Close()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return soFar(), code
	}
	return wait, soFar, ptmx
}

// progressDraws are the progress lines an output drew, each as it showed.
func progressDraws(raw []byte) []string {
	var out []string
	for _, part := range strings.Split(string(raw), "\r\x1b[K") {
		if line, _, _ := strings.Cut(part, "\r\n"); progressLine.MatchString(line) {
			out = append(out, line)
		}
	}
	return out
}

// TestImportOnATerminal reads the screen of an archive import on a real
// pseudo-terminal: one progress line redrawn in place (done/total,
// stored/duplicate/refused, msg/s), never wider than the terminal, gone at
// the end, where the summary stands alone. Then Ctrl-C in the middle of
// an import: the batch is finished or rolled back, the run says how many
// were stored and that the same command continues, exits 130, and the
// same command run again stores the rest.
func TestImportOnATerminal(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "smartbcc.db")
	const n = 6000
	archive := bigArchive(t, dir, n)
	for _, args := range [][]string{
		{"init", "--company", "Acme", "--domain", "bcc.acme.example"},
		{"user", "add", "ann@acme.example", "--name", "Ann Seller"},
	} {
		if out, err := exec.Command(binary(t), append([]string{"--db", db}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("smartbcc %v: %v\n%s", args, err, out)
		}
	}
	importArgs := []string{"--db", db, "ingest", "--user", "ann@acme.example", "--auth", "off", archive}

	// Ctrl-C once the progress line shows.
	const cols = 72
	wait, soFar, ptmx := onTerminal(t, cols, importArgs...)
	deadline := time.Now().Add(2 * time.Minute)
	for len(progressDraws(soFar())) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no progress line on the terminal:\n%q", soFar())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := ptmx.Write([]byte{0x03}); err != nil { // ^C: the terminal sends SIGINT
		t.Fatal(err)
	}
	raw, code := wait()
	screen := ptytest.Render(raw, cols)
	last := screen[len(screen)-1]
	m := regexp.MustCompile(`^interrupted after ([0-9,]+) stored; run the same command again to continue$`).FindStringSubmatch(last)
	if code != 130 || m == nil {
		t.Fatalf("Ctrl-C: exit %d, screen:\n%s", code, strings.Join(screen, "\n"))
	}
	var stored int
	fmt.Sscan(strings.ReplaceAll(m[1], ",", ""), &stored)
	if stored >= n {
		t.Fatalf("interrupted after all %d were stored: Ctrl-C came too late to test anything", stored)
	}

	// The same command again: the rest is stored, what was stored is
	// found again, and the screen shows the progress line's draws and,
	// at the end, the summary alone.
	wait, _, _ = onTerminal(t, cols, importArgs...)
	raw, code = wait()
	screen = ptytest.Render(raw, cols)
	if code != 0 {
		t.Fatalf("the import run again: exit %d\n%s", code, strings.Join(screen, "\n"))
	}
	want := fmt.Sprintf(`^%s messages in [0-9.ms]+ \([0-9,]+ msg/s\): %s stored, %s duplicate, 0 refused, 0 skipped$`,
		thousands(n), thousands(n-stored), thousands(stored))
	// (The summary is one line, wrapped by the terminal when longer.)
	if !regexp.MustCompile(want).MatchString(strings.Join(screen, "")) {
		t.Fatalf("the screen after the import is not the summary alone (want %s):\n%s", want, strings.Join(screen, "\n"))
	}
	draws := progressDraws(raw)
	if len(draws) == 0 {
		t.Fatalf("no progress line was drawn:\n%q", raw)
	}
	for _, d := range draws {
		if w := ptytest.Width(d); w >= cols {
			t.Errorf("progress line %q is %d wide on a %d-column terminal", d, w, cols)
		}
	}
	// The total is the archive's (estimated from the bytes read), and
	// the rate is counted in messages: some draw shows msg/s.
	rate := false
	for _, d := range draws {
		rate = rate || strings.Contains(d, " msg/s")
		if !strings.Contains(d, "/"+thousands(n)+" ") && !strings.Contains(d, "/~") {
			t.Errorf("progress line %q: the total is not the archive's %d", d, n)
		}
	}
	if !rate {
		t.Logf("no draw showed a rate (the import took under 0.2s?): %q", draws)
	}

	// Piped, the same command prints no progress line.
	out, err := exec.Command(binary(t), importArgs...).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("\r")) || !bytes.Contains(out, []byte(thousands(n)+" duplicate")) {
		t.Errorf("piped: %v\n%q", err, out)
	}
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
