package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/commands/ptytest"
)

// TestTablesOnATerminal reads the screen of smartbcc's tables on a real
// pseudo-terminal: with Japanese, Chinese and Korean subjects, emoji and a
// combining mark, every column starts at the same screen column on every
// line, the table fits the terminal (values cut with …), and times are in
// the local zone (UTC with --utc). Piped, the same table keeps every value.
func TestTablesOnATerminal(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "smartbcc.db")
	mail := strings.Join([]string{
		termMail(1, "山田太郎 <yamada@example.jp>", "見積書の送付について (株式会社サンプル)"),
		termMail(2, "Zoë Café <zoe@example.org>", "Party 🎉🎂 on Friday, bring the widgets"),
		termMail(3, "王小明 <wang@example.cn>", "合同草案 — 第二版"),
		termMail(4, "김민준 <kim@example.kr>", "회의 일정 확인 부탁드립니다"),
		termMail(5, "Bob <bob@customer.example>", "Plain ASCII subject that is rather long, to be cut"),
	}, "")
	archive := filepath.Join(dir, "mail.mbox")
	if err := os.WriteFile(archive, []byte(mail), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"init", "--company", "Acme", "--domain", "bcc.acme.example"},
		{"user", "add", "ann@acme.example", "--name", "Ann Seller"},
		{"ingest", "--user", "ann@acme.example", "--auth", "off", archive},
		{"person", "add", "--name", "山田太郎", "--email", "yamada@example.jp", "--org", "株式会社サンプル"},
		{"deal", "add", "--title", "見積 🎉 大型案件", "--person", "1", "--owner", "ann@acme.example"},
		{"link", "1", "--deal", "1"},
	} {
		cmd := exec.Command(bin, append([]string{"--db", db}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("smartbcc %v: %v\n%s", args, err, out)
		}
	}

	screen := func(cols uint16, args ...string) []string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.Command(bin, append([]string{"--db", db}, args...)...)
		cmd.Env = append(os.Environ(), "TZ=Asia/Tokyo", "LANG=C.UTF-8")
		res, err := ptytest.Run(ctx, cmd, cols, 40, nil)
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("no pseudo-terminal: %v", err)
			}
			t.Skipf("no pseudo-terminal here: %v", err)
		}
		if res.ExitCode != 0 {
			t.Fatalf("smartbcc %v on a terminal: exit %d\n%s", args, res.ExitCode, res.Raw)
		}
		return res.Screen
	}

	for _, cols := range []uint16{160, 100, 72} {
		lines := screen(cols, "inbox")
		if len(lines) != 6 || !strings.HasPrefix(lines[0], "ID") {
			t.Fatalf("%d columns: inbox screen\n%s", cols, strings.Join(lines, "\n"))
		}
		for _, l := range lines {
			if w := ptytest.Width(l); w > int(cols) {
				t.Errorf("%d columns: a line is %d wide: %q", cols, w, l)
			}
		}
		// Each column starts where its header does, on every line.
		for _, h := range []struct{ header, cell string }{{"DATE", "2026-11-02 "}, {"OWNER", "ann@"}, {"SHARING", "private"}} {
			want := ptytest.Column(lines[0], h.header)
			for _, l := range lines[1:] {
				if got := ptytest.Column(l, h.cell); got != want {
					t.Errorf("%d columns: %s starts at column %d, its header at %d:\n%s", cols, h.header, got, want, strings.Join(lines, "\n"))
				}
			}
		}
		if cols < 160 && !strings.Contains(strings.Join(lines, "\n"), "…") {
			t.Errorf("%d columns: nothing was cut to fit:\n%s", cols, strings.Join(lines, "\n"))
		}
		if cols == 160 && !strings.Contains(strings.Join(lines, "\n"), "見積書の送付について (株式会社サンプル)") {
			t.Errorf("160 columns: a subject was cut although it fits:\n%s", strings.Join(lines, "\n"))
		}
		// 09:00 UTC is 18:00 in Tokyo.
		if !strings.Contains(lines[len(lines)-1], "2026-11-02 18:01") {
			t.Errorf("%d columns: times are not local:\n%s", cols, strings.Join(lines, "\n"))
		}
	}
	if lines := screen(100, "--utc", "inbox"); !strings.Contains(lines[len(lines)-1], "2026-11-02 09:01") {
		t.Errorf("--utc: times are not UTC:\n%s", strings.Join(lines, "\n"))
	}
	// show gives the weekday and the offset of the zone; JSON stays UTC
	// on a terminal too.
	if lines := strings.Join(screen(100, "show", "1"), "\n"); !strings.Contains(lines, "Date:     Mon, 02 Nov 2026 18:01:00 +0900") {
		t.Errorf("show on a terminal: the date is not local:\n%s", lines)
	}
	if lines := strings.Join(screen(100, "--utc", "show", "1"), "\n"); !strings.Contains(lines, "Date:     Mon, 02 Nov 2026 09:01:00 +0000") {
		t.Errorf("show --utc on a terminal: the date is not UTC:\n%s", lines)
	}
	if lines := strings.Join(screen(100, "--json", "inbox"), "\n"); !strings.Contains(lines, `"date": "2026-11-02T09:01:00Z"`) || strings.Contains(lines, "+09:00") {
		t.Errorf("--json on a terminal: times are not UTC:\n%s", lines)
	}

	// Item lists line up too, names next to ids.
	lines := screen(60, "deal", "list")
	if len(lines) != 2 {
		t.Fatalf("deal list screen:\n%s", strings.Join(lines, "\n"))
	}
	for _, h := range []struct{ header, cell string }{{"STATUS", "open"}, {"PERSON", "1 山田"}} {
		if a, b := ptytest.Column(lines[0], h.header), ptytest.Column(lines[1], h.cell); a != b {
			t.Errorf("deal list: %s at column %d, its header at %d:\n%s", h.header, b, a, strings.Join(lines, "\n"))
		}
	}
	for _, l := range lines {
		if ptytest.Width(l) > 60 {
			t.Errorf("deal list: line %q wider than 60", l)
		}
	}

	// Piped, the table keeps every value whole and times are UTC.
	cmd := exec.Command(bin, "--db", db, "inbox")
	cmd.Env = append(os.Environ(), "TZ=Asia/Tokyo")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Plain ASCII subject that is rather long, to be cut", "회의 일정 확인 부탁드립니다", "2026-11-02T09:01:00Z"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("piped inbox lacks %q:\n%s", want, out)
		}
	}
}

func termMail(n int, from, subject string) string {
	return "From ann@acme.example Mon Nov  2 09:00:00 2026\n" +
		"From: " + from + "\nTo: ann@acme.example\nSubject: " + subject +
		"\nMessage-ID: <t" + string(rune('0'+n)) + "@example.org>\nDate: Mon, 02 Nov 2026 09:0" + string(rune('0'+n)) + ":00 +0000\n" +
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nHello.\n\n"
}

// TestStdinOnATerminalSaysHowToEnd: a command that reads standard input
// (an archive import with no file, auth check, link -) run at a terminal
// says so on stderr and how to end it, rather than wait in silence; piped,
// it says nothing.
func TestStdinOnATerminalSaysHowToEnd(t *testing.T) {
	bin := binary(t)
	db := filepath.Join(t.TempDir(), "smartbcc.db")
	for _, args := range [][]string{
		{"init", "--company", "Acme", "--domain", "bcc.acme.example"},
		{"user", "add", "ann@acme.example", "--name", "Ann Seller"},
		{"deal", "add", "--title", "Widgets"},
	} {
		if out, err := exec.Command(bin, append([]string{"--db", db}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("smartbcc %v: %v\n%s", args, err, out)
		}
	}
	const hint = "end it with Ctrl-D"
	mail := "From: Ann <ann@acme.example>\nTo: bob@customer.example\nSubject: x\n\nhello\n\x04"
	for _, tc := range []struct {
		args  []string
		typed string
		code  int
	}{
		{[]string{"ingest", "--user", "ann@acme.example", "--auth", "off"}, mail, 0},
		{[]string{"auth", "check", "--client-ip", "192.0.2.1", "--sender", "ann@acme.example", "--dns-zone", os.DevNull}, mail, 1},
		{[]string{"link", "-", "--deal", "1"}, "\x04", 3},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.Command(bin, append([]string{"--db", db}, tc.args...)...)
		res, err := ptytest.Run(ctx, cmd, 100, 40, []byte(tc.typed))
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			// One Ctrl-D at the start of a line ends a terminal's input.
			t.Fatalf("smartbcc %v on a terminal did not end after Ctrl-D", tc.args)
		}
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("no pseudo-terminal: %v", err)
			}
			t.Skipf("no pseudo-terminal here: %v", err)
		}
		screen := strings.Join(res.Screen, "\n")
		if res.ExitCode != tc.code || !strings.Contains(screen, hint) {
			t.Errorf("smartbcc %v on a terminal: exit %d (want %d), screen:\n%s", tc.args, res.ExitCode, tc.code, screen)
		}
		// Piped, no hint.
		piped := exec.Command(bin, append([]string{"--db", db}, tc.args...)...)
		piped.Stdin = strings.NewReader(strings.TrimSuffix(tc.typed, "\x04"))
		out, _ := piped.CombinedOutput()
		if strings.Contains(string(out), hint) {
			t.Errorf("smartbcc %v piped printed the terminal hint:\n%s", tc.args, out)
		}
	}
}
