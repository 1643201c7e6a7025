package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cli runs commands against one store file with injected streams.
type cli struct {
	t   *testing.T
	db  string
	now time.Time
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	return &cli{t: t, db: filepath.Join(t.TempDir(), "smartbcc.db")}
}

type result struct {
	out, err string
	code     int
}

func (c *cli) runIn(stdin string, args ...string) result {
	c.t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"--db", c.db}, args...),
		IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errb},
		func(a *App) {
			if !c.now.IsZero() {
				a.Now = func() time.Time { return c.now }
			}
		})
	return result{out: out.String(), err: errb.String(), code: code}
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	return c.runIn("", args...)
}

// ok runs a command that must succeed.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("smartbcc %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.err)
	}
	return r.out
}

// fails runs a command that must fail with a one-line message containing want.
func (c *cli) fails(want string, args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code == 0 {
		c.t.Fatalf("smartbcc %s: succeeded, want failure %q; out %q", strings.Join(args, " "), want, r.out)
	}
	if !strings.Contains(r.err, want) {
		c.t.Fatalf("smartbcc %s: stderr %q, want it to contain %q", strings.Join(args, " "), r.err, want)
	}
	if n := strings.Count(strings.TrimRight(r.err, "\n"), "\n"); n != 0 {
		c.t.Fatalf("smartbcc %s: error is %d lines, want one: %q", strings.Join(args, " "), n+1, r.err)
	}
	return r
}

func (c *cli) json(v any, args ...string) {
	c.t.Helper()
	out := c.ok(append([]string{"--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("smartbcc %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// setup makes a company with one user.
func (c *cli) setup() {
	c.t.Helper()
	c.ok("init", "--company", "Acme", "--domain", "bcc.acme.example")
	c.ok("user", "add", "ann@acme.example", "--name", "Ann Seller")
}
