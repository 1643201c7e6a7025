package ingest_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLenientReaderDecidesNothing keeps the lenient address reading (for
// showing participants of broken mail) away from every decision: no file
// of ingest (outside parse), ingest/auth or linker names it, and the
// functions of prepare.go that decide recipients, the owner and
// authentication do not read the display address lists of a parsed
// message (m.From, m.To...), only mailaddr's strict reading of the fields.
func TestLenientReaderDecidesNothing(t *testing.T) {
	lenient := []string{"DisplayAddresses", "lenientAddresses"}
	for _, dir := range []string{".", "auth", "../linker"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(file, "lenient_test.go") {
				continue
			}
			for _, name := range lenient {
				if strings.Contains(string(src), name) {
					t.Errorf("%s names %s: the lenient address reader must not decide anything", file, name)
				}
			}
		}
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "prepare.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	deciding := map[string]bool{"sender": true, "recipients": true, "authenticate": true}
	found := 0
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !deciding[fn.Name.Name] {
			continue
		}
		found++
		ast.Inspect(fn, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "From", "Sender", "To", "Cc", "Bcc", "ReplyTo":
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "m" {
					t.Errorf("%s: %s reads m.%s, a display reading of the header", fset.Position(sel.Pos()), fn.Name.Name, sel.Sel.Name)
				}
			}
			return true
		})
	}
	if found != len(deciding) {
		t.Fatalf("found %d of the deciding functions %v in prepare.go: renamed?", found, deciding)
	}
}
