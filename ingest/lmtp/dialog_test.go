package lmtp

import (
	"bufio"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/auth"
	"github.com/smartbcc/smartbcc/ingest/resolver"
	"github.com/smartbcc/smartbcc/store"
)

// A dialog file (testdata/dialog/NN-name.txt) is a scripted session:
// "C: line" is sent by the client (CRLF added), "S: prefix" must be the
// start of the last line of the server's next reply, "!shutdown" starts a
// graceful shutdown, "config: ..." sets bounce, auth (a DNS without
// records), dnsfail (a DNS that fails), maxsize=N and maxrcpt=N, and {DEAL} is the deal address. The same files seed FuzzLMTP.

type dialog struct {
	config []string
	steps  []string
}

func readDialog(t testing.TB, path string) dialog {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d dialog
	for _, l := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "":
		case strings.HasPrefix(l, "config:"):
			d.config = strings.Fields(strings.TrimPrefix(l, "config:"))
		default:
			d.steps = append(d.steps, l)
		}
	}
	return d
}

func (d dialog) configure(c *Config, st store.Store) {
	for _, o := range d.config {
		k, v, _ := strings.Cut(o, "=")
		n, _ := strconv.Atoi(v)
		switch k {
		case "bounce":
			c.Bounce = true
		case "maxsize":
			c.MaxSize = int64(n)
		case "maxrcpt":
			c.MaxRecipients = n
		case "dnsfail":
			c.Ingester = ingest.New(ingest.Options{Store: st, Source: store.SourcePipe,
				Auth: &auth.Checker{Resolver: resolver.Mock{Fail: map[string]bool{"acme.example": true, "_dmarc.acme.example": true}}, Timeout: 5 * time.Second}})
			c.ClientFromReceived = true
		case "auth":
			// Verify against a DNS with no records: nothing passes.
			c.Ingester = ingest.New(ingest.Options{Store: st, Source: store.SourcePipe,
				Auth: &auth.Checker{Resolver: resolver.Mock{}, Timeout: 5 * time.Second}})
		}
	}
}

func TestDialogs(t *testing.T) {
	files, _ := filepath.Glob("testdata/dialog/*.txt")
	if len(files) == 0 {
		t.Fatal("no dialogs")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			d := readDialog(t, f)
			ts := newTestServerTB(t, d.configure)
			rc := ts.raw()
			for i, step := range d.steps {
				step = strings.ReplaceAll(step, "{DEAL}", ts.dealAddr)
				switch {
				case step == "!shutdown":
					go func() {
						ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
						defer cancel()
						_ = ts.srv.Shutdown(ctx)
					}()
					time.Sleep(100 * time.Millisecond)
				case strings.HasPrefix(step, "C:"):
					rc.send(strings.TrimPrefix(strings.TrimPrefix(step, "C:"), " ") + "\r\n")
				case strings.HasPrefix(step, "S:"):
					want := strings.TrimPrefix(strings.TrimPrefix(step, "S:"), " ")
					got := rc.replyMatching(want, 5*time.Second)
					if !strings.HasPrefix(got, want) {
						t.Fatalf("line %d: got %q, want %q...\nlog:\n%s", i+1, got, want, ts.logText())
					}
				default:
					t.Fatalf("bad step %q", step)
				}
			}
		})
	}
}

// replyMatching reads a reply; for a multi-line reply it returns the
// line that starts with want when there is one (EHLO capabilities),
// else the last.
func (rc *rawConn) replyMatching(want string, timeout time.Duration) string {
	var found string
	for {
		l := rc.line(timeout)
		if found == "" && strings.HasPrefix(l, want) {
			found = l
		}
		if len(l) < 4 || l[3] != '-' {
			if found != "" {
				return found
			}
			return l
		}
	}
}

// FuzzLMTP feeds any bytes to a session: the server must neither panic
// (go-smtp would answer 421 "Internal server error") nor stop serving.
// Seeded from the dialogs' client lines.
func FuzzLMTP(f *testing.F) {
	files, _ := filepath.Glob("testdata/dialog/*.txt")
	for _, file := range files {
		var b strings.Builder
		for _, s := range readDialog(f, file).steps {
			if strings.HasPrefix(s, "C:") {
				b.WriteString(strings.TrimPrefix(strings.TrimPrefix(s, "C:"), " ") + "\r\n")
			}
		}
		f.Add([]byte(b.String()))
	}
	ts := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, input []byte) {
		conn, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		go func() {
			_, _ = conn.Write(input)
			_, _ = conn.Write([]byte("\r\n.\r\nQUIT\r\n"))
			_ = conn.(*net.TCPConn).CloseWrite()
		}()
		r := bufio.NewReader(conn)
		for {
			line, err := r.ReadString('\n')
			if strings.Contains(line, "Internal server error") {
				t.Fatalf("server panicked on %q", input)
			}
			if err != nil {
				break
			}
		}
		if err := ts.srv.Healthy(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func newFuzzServer(f *testing.F) *testServer {
	// newTestServer wants a *testing.T for its cleanups; the fuzz target
	// keeps one server for all inputs.
	return newTestServerTB(f, func(c *Config, _ store.Store) { c.DataTimeout = time.Second; c.CommandTimeout = time.Second })
}
