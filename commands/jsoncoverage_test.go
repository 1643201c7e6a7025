package commands

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Every command that prints records with --json is run with --json by some
// test, and its output validated against its schema: not only "has a
// schema" (TestEveryCommandHasSchema) but "was seen to follow it". Each
// validated document records its command, both in this process (Go tests)
// and in the scripts' processes (testscript runs smartbcc as a separate
// process of this test binary, which appends the command to the file named
// by jsonSeenEnv). After a whole run of the package, a command with a
// schema that no test printed fails the run.

// jsonSeenEnv names the file the scripts' smartbcc processes record the
// commands whose JSON they validated in, one path a line.
const jsonSeenEnv = "SMARTBCC_TEST_JSON_SEEN"

var jsonSeen = struct {
	sync.Mutex
	file     string // jsonSeenEnv's file, made by TestMain
	commands map[string]bool
}{commands: map[string]bool{}}

// checkAndRecordJSON is jsonCheck in the tests: it validates the document
// and records that the command's JSON was validated.
func checkAndRecordJSON(command, schema string, doc []byte) error {
	if err := validateJSON(schema, doc); err != nil {
		return err
	}
	jsonSeen.Lock()
	defer jsonSeen.Unlock()
	if !jsonSeen.commands[command] {
		jsonSeen.commands[command] = true
		if f := os.Getenv(jsonSeenEnv); f != "" {
			w, err := os.OpenFile(f, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(w, command)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			return err
		}
	}
	return nil
}

// coverageM runs the package's tests, then checks that every command with
// a JSON schema had its output validated by one of them.
type coverageM struct {
	m interface{ Run() int }
}

func (c coverageM) Run() int {
	dir, err := os.MkdirTemp("", "smartbcc-json-seen")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	jsonSeen.file = filepath.Join(dir, "seen")
	code := c.m.Run()
	if code != 0 || !wholeRun() {
		return code
	}
	missing, err := jsonNotSeen(jsonSeen.file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "JSON coverage:", err)
		return 1
	}
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "--- FAIL: JSON coverage: no test validated the --json output of: %s\n"+
			"(run each with --json in a test, in testdata/script with validjson)\n", strings.Join(missing, ", "))
		return 1
	}
	return 0
}

// wholeRun reports a run of every test of the package: no -run or -skip,
// no -short.
func wholeRun() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return !testing.Short()
}

// jsonNotSeen lists the commands with a schema whose JSON no test
// validated, in this process or in a script's.
func jsonNotSeen(file string) ([]string, error) {
	seen := map[string]bool{}
	jsonSeen.Lock()
	for c := range jsonSeen.commands {
		seen[c] = true
	}
	jsonSeen.Unlock()
	f, err := os.Open(file)
	switch {
	case os.IsNotExist(err):
	case err != nil:
		return nil, err
	default:
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			seen[sc.Text()] = true
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	var missing []string
	for command, schema := range jsonSchemas {
		if schema != "" && !seen[command] {
			missing = append(missing, command)
		}
	}
	if !seen["--version"] {
		missing = append(missing, "--version")
	}
	sort.Strings(missing)
	return missing, nil
}

// The check can fail: a command left out is named.
func TestJSONCoverageNamesMissing(t *testing.T) {
	for _, left := range []string{"deal list", "--version"} {
		file := filepath.Join(t.TempDir(), "seen")
		all := []string{"--version"}
		for command, schema := range jsonSchemas {
			if schema != "" {
				all = append(all, command)
			}
		}
		all = slices.DeleteFunc(all, func(c string) bool { return c == left })
		if err := os.WriteFile(file, []byte(strings.Join(all, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		missing, err := jsonNotSeen(file)
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) != 1 || missing[0] != left {
			t.Fatalf("missing = %v, want [%s]", missing, left)
		}
	}
}
