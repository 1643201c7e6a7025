package confirm

import (
	"context"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCodeHash(t *testing.T) {
	code, hash, err := NewCode()
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 16 {
		t.Fatalf("code %q has length %d", code, len(code))
	}
	if !HashEqual(hash, Hash(strings.ToUpper(code))) {
		t.Error("code should match case-insensitively")
	}
	if HashEqual(hash, Hash(code+"x")) {
		t.Error("a different code matched")
	}
	code2, _, _ := NewCode()
	if code2 == code {
		t.Error("two codes in a row are equal")
	}
}

func TestSendmailCapturesMail(t *testing.T) {
	dir := t.TempDir()
	captured := filepath.Join(dir, "mail.txt")
	script := filepath.Join(dir, "sendmail")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ncat > "+captured+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	e := Email{From: "acme@bcc.example.com", ReplyTo: "acme+confirm-abcd@bcc.example.com",
		To: "ann@home.example", UserName: "Ann", UserEmail: "ann@acme.example", Company: "Acme",
		Code: "abcd", Expires: time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC)}
	if err := (Sendmail{Command: script + " -t -i"}).Send(context.Background(), e.From, []string{e.To}, e.Compose()); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(captured)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Header.Get("Reply-To"); got != "<acme+confirm-abcd@bcc.example.com>" {
		t.Errorf("Reply-To = %q", got)
	}
	if m.Header.Get("Auto-Submitted") != "auto-generated" || m.Header.Get(HeaderMarker) != "yes" {
		t.Error("loop-protection headers missing")
	}
	body := string(raw)
	for _, want := range []string{"ann@home.example", "smartbcc address verify abcd", "2030-01-02"} {
		if !strings.Contains(body, want) {
			t.Errorf("mail lacks %q", want)
		}
	}
}

func TestSendmailFailureIsReported(t *testing.T) {
	err := (Sendmail{Command: "/bin/false"}).Send(context.Background(), "a@b", []string{"c@d"}, []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "/bin/false") {
		t.Fatalf("err = %v", err)
	}
}
