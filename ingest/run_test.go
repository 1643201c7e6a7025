//go:build linux

package ingest_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
	"github.com/smartbcc/smartbcc/store/storetest"
)

// resumeArchive writes an mbox of n messages: plain and multipart mail,
// attachments, a reply chain, and every 40th message without a Message-ID
// (its duplicate key is then the hash of its bytes).
func resumeArchive(t *testing.T, path string, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	var b bytes.Buffer
	para := "Thanks for the call today. Here are the figures we talked about, and the dates for the delivery of the 200 widgets.\n"
	blob := make([]byte, 12<<10)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "From ann@acme.example Mon Nov  2 09:%02d:%02d 2026\n", i/60%60, i%60)
		fmt.Fprintf(&b, "From: Ann Seller <ann@acme.example>\nTo: Customer %d <c%d@customer.example>\nSubject: Offer %d\nDate: Mon, 2 Nov 2026 09:%02d:%02d +0000\n", i%37, i%37, i, i/60%60, i%60)
		if i%40 != 0 {
			fmt.Fprintf(&b, "Message-ID: <resume%d@acme.example>\n", i)
		}
		if i%5 == 1 {
			fmt.Fprintf(&b, "In-Reply-To: <resume%d@acme.example>\n", i-1)
		}
		b.WriteString("MIME-Version: 1.0\n")
		body := strings.Repeat(para, 5+rng.IntN(60))
		if i%4 != 0 {
			fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\n\n%s\n", body)
			continue
		}
		for j := range blob {
			blob[j] = byte(rng.Uint32())
		}
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"=b%d\"\n\n--=b%d\nContent-Type: text/plain; charset=utf-8\n\n%s\n--=b%d\n", i, i, body, i)
		fmt.Fprintf(&b, "Content-Type: application/pdf; name=\"offer%d.pdf\"\nContent-Disposition: attachment; filename=\"offer%d.pdf\"\nContent-Transfer-Encoding: base64\n\n", i, i)
		enc := base64.StdEncoding.EncodeToString(blob[:1024+rng.IntN(len(blob)-1024)])
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\n")
			enc = enc[76:]
		}
		fmt.Fprintf(&b, "%s\n--=b%d--\n\n", enc, i)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// buildSmartbcc builds the binary the way the README does.
func buildSmartbcc(t *testing.T) string {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if p, err := exec.LookPath("go"); err == nil {
		goTool = p
	}
	bin := filepath.Join(t.TempDir(), "smartbcc")
	out, err := exec.Command(goTool, "build", "-o", bin, "../cmd/smartbcc").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type importResult struct {
	Status    string `json:"status"`
	MessageID string `json:"message_id"`
	ID        int64  `json:"id"`
}

// TestImportKilledAndRunAgain: an archive import killed with SIGKILL at a
// random point, then run again on the same archive, ends with every
// message stored exactly once; a third run stores nothing.
func TestImportKilledAndRunAgain(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const n = 2000
	bin := buildSmartbcc(t)
	dir := t.TempDir()
	db := storetest.Fresh(t)
	archive := filepath.Join(dir, "archive.mbox")
	resumeArchive(t, archive, n)
	run := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"--db", db}, args...)...)
		cmd.Env = append(os.Environ(), "SMARTBCC_DB=")
		return cmd
	}
	for _, args := range [][]string{
		{"init", "--company", "Acme", "--domain", "bcc.acme.example"},
		{"user", "add", "ann@acme.example", "--name", "Ann Seller"},
	} {
		if out, err := run(args...).CombinedOutput(); err != nil {
			t.Fatalf("smartbcc %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// --commit-size 1: every batch commits, so that results come while
	// the import runs.
	importArgs := []string{"--json", "ingest", "--user", "ann@acme.example", "--auth", "off", "--commit-size", "1", archive}

	// First run: killed after the kill-th result line. Results are printed
	// after their batch committed, and a pipe holds a few hundred lines at
	// most, so the import is then well short of the end.
	// A random pause after that line lands the kill anywhere: parsing,
	// inside a commit, printing.
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	kill, pause := 1+rng.IntN(n/2), time.Duration(rng.IntN(120))*time.Millisecond
	t.Logf("seed %d: SIGKILL %s after result line %d", seed, pause, kill)
	cmd := run(importArgs...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	sc := bufio.NewScanner(stdout)
	lines := 0
	for lines < kill && sc.Scan() {
		lines++
	}
	if lines < kill {
		t.Fatalf("the import ended after %d results (%v): %s", lines, cmd.Wait(), stderr.String())
	}
	drained := make(chan struct{})
	go func() { // keep the pipe flowing during the pause
		for sc.Scan() {
		}
		close(drained)
	}()
	time.Sleep(pause)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-drained
	cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the import was not killed: %v", cmd.ProcessState)
	}
	first := checkStore(t, db)
	t.Logf("killed: %d messages stored", first)
	if first < kill || first >= n {
		t.Fatalf("%d messages stored after %d results; want at least those and fewer than %d", first, kill, n)
	}

	// Second run: the rest is stored, what the first run stored is found.
	counts := runToEnd(t, run(importArgs...))
	if counts["stored"] != n-first || counts["duplicate"] != first {
		t.Fatalf("second run: %v; want %d stored and %d duplicate", counts, n-first, first)
	}
	if got := checkStore(t, db); got != n {
		t.Fatalf("%d messages stored, want %d", got, n)
	}
	// Third run: nothing new.
	if counts := runToEnd(t, run(importArgs...)); counts["duplicate"] != n {
		t.Fatalf("third run: %v; want %d duplicate", counts, n)
	}
	if got := checkStore(t, db); got != n {
		t.Fatalf("%d messages stored after a third run, want %d", got, n)
	}
}

// runToEnd runs an import that must succeed and counts its results by status.
func runToEnd(t *testing.T, cmd *exec.Cmd) map[string]int {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr.String())
	}
	counts := map[string]int{}
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		var r importResult
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("import output is not JSON lines: %v", err)
		}
		counts[r.Status]++
	}
	return counts
}

// checkStore checks the store is consistent, every message once with its
// raw bytes, and returns how many messages it holds.
func checkStore(t *testing.T, dsn string) int {
	t.Helper()
	storetest.Check(t, dsn)
	db := storetest.SQL(t, dsn)
	// Every message of the test archive is distinct: one row each.
	if v := db.Int(t, `SELECT count(*) FROM (SELECT message_id FROM messages WHERE message_id != '' GROUP BY 1 HAVING count(*) > 1) AS twice`); v != 0 {
		t.Fatalf("%d Message-IDs stored twice", v)
	}
	return db.Int(t, `SELECT count(*) FROM messages`)
}
