package ptytest

import (
	"context"
	"os"
	"os/exec"
	"reflect"
	"testing"
	"time"
)

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		name string
		out  string
		cols int
		want []string
	}{
		{"lines", "a\r\nb\r\n", 10, []string{"a", "b"}},
		{"a progress line redrawn in place", "10/100\r20/100\r\x1b[K30/100 done\r\n", 20, []string{"30/100 done"}},
		{"erase to end of line", "abcdef\r\x1b[Kxy\r\n", 20, []string{"xy"}},
		{"wide characters take two columns", "見積|\r\n1234|\r\n", 10, []string{"見積|", "1234|"}},
		{"autowrap", "abcdefgh", 5, []string{"abcde", "fgh"}},
		{"a wide character does not split at the margin", "abcd見", 5, []string{"abcd", "見"}},
		{"combining marks join", "e\u0301|\r\n", 5, []string{"e\u0301|"}},
		{"SGR and OSC show nothing", "\x1b[1mbold\x1b[0m \x1b]0;title\x07x\r\n", 20, []string{"bold x"}},
		{"cursor up rewrites a line", "one\r\ntwo\r\n\x1b[2A\x1b[2Kuno\r\n", 20, []string{"uno", "two"}},
	} {
		if got := Render([]byte(tc.out), tc.cols); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestRunOnATerminal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// stty reports the size the program sees; test -t says stdout is a terminal.
	res, err := Run(ctx, exec.Command("sh", "-c", "stty size; test -t 1 && echo tty; exit 3"), 57, 11, nil)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no pseudo-terminal: %v", err)
		}
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	if want := []string{"11 57", "tty"}; !reflect.DeepEqual(res.Screen, want) || res.ExitCode != 3 {
		t.Fatalf("screen %q exit %d, want %q exit 3", res.Screen, res.ExitCode, want)
	}
	if Width("見積 ok") != 7 || Column("ab見積 x", "x") != 7 {
		t.Fatalf("Width/Column count wide characters wrong")
	}
}
