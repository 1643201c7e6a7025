package commands

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/smartbcc/smartbcc/store/storetest"
)

// TestMain lets testscript run smartbcc in-process as a command. Every
// JSON document a command prints, in Go tests and in scripts alike, is
// checked against its schema in docs/schema, and a whole run fails when a
// command's JSON was never checked (jsoncoverage_test.go).
func TestMain(m *testing.M) {
	jsonCheck = checkAndRecordJSON
	testscript.Main(coverageM{m}, map[string]func(){
		"smartbcc": func() { os.Exit(Main()) },
	})
}

// TestScripts runs the command-line scenarios in testdata/script: what an
// administrator types, and what they see, exit status included.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "../testdata/script",
		// The store is a SQLite file in the work directory, or a
		// PostgreSQL schema with SMARTBCC_TEST_STORE=postgres.
		Setup: func(env *testscript.Env) error {
			dsn, cleanup, err := storetest.FreshIn(env.WorkDir)
			if err != nil {
				return err
			}
			env.Defer(cleanup)
			env.Setenv("SMARTBCC_DB", dsn)
			env.Setenv(jsonSeenEnv, jsonSeen.file)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"validjson": cmdValidJSON,
			"setenv":    cmdSetenvStdout,
			"exits":     cmdExits,
			"gzip":      cmdGzip,
		},
	})
}

// cmdSetenvStdout is `setenv NAME`: NAME is set to the last command's
// stdout, trimmed (an address or an id a later command needs).
func cmdSetenvStdout(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: setenv NAME")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
}

// cmdGzip is `gzip FILE`: FILE is replaced by FILE.gz, as gzip(1) does
// (in Go: CI need not have gzip installed).
func cmdGzip(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gzip FILE")
	}
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write([]byte(ts.ReadFile(args[0])))
	ts.Check(err)
	ts.Check(w.Close())
	ts.Check(os.WriteFile(ts.MkAbs(args[0]+".gz"), b.Bytes(), 0o644))
	ts.Check(os.Remove(ts.MkAbs(args[0])))
}

// cmdExits is `exits N PROGRAM ARGS...`: runs the program as exec does
// and fails unless it exits with status N (stdout and stderr are then
// there for the next stdout/stderr lines): the documented exit statuses.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %q is no status", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}
