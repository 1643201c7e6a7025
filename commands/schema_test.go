package commands

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/spf13/cobra"
)

// The JSON schemas in docs/schema are written by hand from docs/cli.md; the
// tests hold every --json output to them (jsonCheck, set in TestMain), so
// that the code cannot drift from the documented vocabulary.

// schemaDir is docs/schema, found from this file so that testscript's
// subprocesses (which run in $WORK) find it too.
func schemaDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "docs", "schema")
}

const schemaBase = "https://smartbcc.example/schema/"

var (
	schemasOnce sync.Once
	schemas     map[string]*jsonschema.Schema
	schemasErr  error
)

// loadSchemas compiles every schema file, with format assertions on (or
// "date-time" would not be checked).
func loadSchemas() (map[string]*jsonschema.Schema, error) {
	schemasOnce.Do(func() {
		files, err := filepath.Glob(filepath.Join(schemaDir(), "*.schema.json"))
		if err != nil || len(files) == 0 {
			schemasErr = fmt.Errorf("no schemas in %s: %v", schemaDir(), err)
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat()
		for _, f := range files {
			r, err := os.Open(f)
			if err != nil {
				schemasErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(r)
			r.Close()
			if err != nil {
				schemasErr = fmt.Errorf("%s: %v", f, err)
				return
			}
			if err := c.AddResource(schemaBase+filepath.Base(f), doc); err != nil {
				schemasErr = fmt.Errorf("%s: %v", f, err)
				return
			}
		}
		schemas = map[string]*jsonschema.Schema{}
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".schema.json")
			s, err := c.Compile(schemaBase + filepath.Base(f))
			if err != nil {
				schemasErr = fmt.Errorf("%s: %v", f, err)
				return
			}
			schemas[name] = s
		}
	})
	return schemas, schemasErr
}

// validateJSON checks one JSON document against docs/schema/NAME.schema.json.
func validateJSON(name string, doc []byte) error {
	if name == "" {
		return fmt.Errorf("the command prints JSON but has no schema in jsonSchemas (commands/schema.go)")
	}
	all, err := loadSchemas()
	if err != nil {
		return err
	}
	s, ok := all[name]
	if !ok {
		return fmt.Errorf("no schema docs/schema/%s.schema.json", name)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("%s", strings.ReplaceAll(fmt.Sprintf("%#v", err), "\n", "; "))
	}
	return nil
}

// validateJSONLines checks every line of JSON Lines output.
func validateJSONLines(name string, out []byte) error {
	for i, line := range bytes.Split(bytes.TrimRight(out, "\n"), []byte("\n")) {
		if err := validateJSON(name, line); err != nil {
			return fmt.Errorf("line %d: %v", i+1, err)
		}
	}
	return nil
}

// cmdValidJSON is the testscript command `validjson [-lines] SCHEMA [FILE]`:
// stdout of the last command (or FILE) follows docs/schema/SCHEMA.schema.json.
func cmdValidJSON(ts *testscript.TestScript, neg bool, args []string) {
	lines := len(args) > 0 && args[0] == "-lines"
	if lines {
		args = args[1:]
	}
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: validjson [-lines] SCHEMA [FILE]")
	}
	data := ts.ReadFile("stdout")
	if len(args) == 2 {
		data = ts.ReadFile(args[1])
	}
	var err error
	if lines {
		err = validateJSONLines(args[0], []byte(data))
	} else {
		err = validateJSON(args[0], []byte(data))
	}
	switch {
	case neg && err == nil:
		ts.Fatalf("output follows schema %s, want it not to", args[0])
	case !neg && err != nil:
		ts.Fatalf("schema %s: %v", args[0], err)
	}
}

// TestEveryCommandHasSchema walks the command tree: every runnable command
// is listed in jsonSchemas, every schema named there exists, and every
// schema file is used.
func TestEveryCommandHasSchema(t *testing.T) {
	all, err := loadSchemas()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{"defs": true, versionSchema: true} // --json --version: a flag, no command
	seen := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() || c.Parent() == nil || c.HasAvailableSubCommands() { // a group only says which commands it has
			return
		}
		path := commandPath(c)
		seen[path] = true
		name, ok := jsonSchemas[path]
		switch {
		case !ok:
			t.Errorf("command %q is not in jsonSchemas (commands/schema.go): name its schema in docs/schema, or \"\" if it prints no records", path)
		case name != "" && all[name] == nil:
			t.Errorf("command %q: no docs/schema/%s.schema.json", path, name)
		}
		used[name] = true
	}
	walk(newRootCmd(newApp(IOStreams{})))
	for path := range jsonSchemas {
		if !seen[path] {
			t.Errorf("jsonSchemas lists %q, which is not a command", path)
		}
	}
	var unused []string
	for name := range all {
		if !used[name] {
			unused = append(unused, name)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("schemas no command uses: %v", unused)
	}
}

// TestSchemasCatchDrift makes sure the checks can fail: outputs that break
// the vocabulary's rules are refused.
func TestSchemasCatchDrift(t *testing.T) {
	for _, tc := range []struct {
		schema, doc string
	}{
		{"user-add", `{"id":1,"email":"a@b.example","name":"A","settings":{"auto_link":true,"default_shared":false,"create_persons":false},"created_at":"2026-11-02T09:00:00.123456Z"}`},
		{"user-add", `{"id":1,"email":"a@b.example","name":"A","settings":{"auto_link":true,"default_shared":false,"create_persons":false},"created_at":"2026-11-02T10:00:00+01:00"}`},
		{"user-add", `{"id":1,"email":"a@b.example","name":"A","settings":{"auto_link":true,"default_shared":false,"create_persons":false}}`},
		{"user-add", `{"id":1,"email":"a@b.example","name":"A","settings":{"auto_link":true,"default_shared":false,"create_persons":false},"created_at":"2026-11-02T09:00:00Z","owner_id":1}`},
		{"person-add", `{"id":1,"name":"Bob","org":"","emails":[],"created_at":"2026-11-02T09:00:00Z"}`},
		{"person-add", `{"id":1,"name":"Bob","org":null,"emails":null,"created_at":"2026-11-02T09:00:00Z"}`},
		{"bcc", `{"address":"acme@bcc.example","item":{"type":"deal","id":1,"title":"x"}}`},
		{"share", `{"shared":"shared","messages":[]}`},
		{"item-add", `{"id":1,"kind":"deal","title":"T","status":"open","person":null,"owner":null,"bcc_address":null,"created_at":"2026-13-02T09:00:00Z","converted_to":null}`},
		{"item-add", `{"id":1,"kind":"deal","title":"T","status":"open","person":null,"owner":null,"bcc_address":null,"created_at":"2026-11-02T09:00:00Z"}`},
	} {
		if err := validateJSON(tc.schema, []byte(tc.doc)); err == nil {
			t.Errorf("%s accepted %s", tc.schema, tc.doc)
		}
	}
	ok := `{"id":1,"kind":"deal","title":"T","status":"open","person":null,"owner":null,"bcc_address":null,"created_at":"2026-11-02T09:00:00Z","converted_to":null}`
	if err := validateJSON("item-add", []byte(ok)); err != nil {
		t.Errorf("item-add refused %s: %v", ok, err)
	}
}
