package confirm

import (
	"context"
	"io"
	"net"
	"net/mail"
	"net/textproto"
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
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\" > "+captured+".args\ncat > "+captured+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	e := Email{From: "acme@bcc.example.com", ReplyTo: "acme+confirm-abcd@bcc.example.com",
		To: "ann@home.example", UserName: "Ann", UserEmail: "ann@acme.example", Company: "Acme",
		Code: "abcd", Expires: time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC)}
	if err := (Sendmail{Command: script + " -i"}).Send(context.Background(), e.From, []string{e.To}, e.Compose()); err != nil {
		t.Fatal(err)
	}
	if args, _ := os.ReadFile(captured + ".args"); string(args) != "-i -f acme@bcc.example.com -- ann@home.example\n" {
		t.Errorf("sendmail arguments %q, want the envelope named explicitly", args)
	}
	// Recipients from the header (-t) and envelope addresses a command
	// line or SMTP could split are refused before anything runs.
	for _, bad := range []struct {
		cmd, from string
		to        []string
	}{
		{script + " -t -i", e.From, []string{e.To}},
		{script + " -i", e.From, []string{"a@x.example, b@y.example"}},
		{script + " -i", e.From, []string{"\"x>,b@y.example\"@x.example"}},
		{script + " -i", "root@host\r\nRCPT TO:<b@y.example>", []string{e.To}},
		{script + " -i", e.From, nil},
	} {
		if err := (Sendmail{Command: bad.cmd}).Send(context.Background(), bad.from, bad.to, e.Compose()); err == nil {
			t.Errorf("Send(%q, %q, %q) succeeded", bad.cmd, bad.from, bad.to)
		}
		if bad.cmd != script+" -i" {
			continue
		}
		if err := (SMTP{Addr: "127.0.0.1:1"}).Send(context.Background(), bad.from, bad.to, e.Compose()); err == nil || !strings.Contains(err.Error(), "envelope") && !strings.Contains(err.Error(), "recipient") {
			t.Errorf("SMTP Send(%q, %q): %v, want it refused before connecting", bad.from, bad.to, err)
		}
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

// fakeRelay answers one SMTP session on a loopback port, recording the
// envelope and message; silent, it accepts the connection and says
// nothing.
func fakeRelay(t *testing.T, silent bool) (addr string, got chan string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	got = make(chan string, 1)
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		if silent {
			got <- "accepted"
			io.Copy(io.Discard, conn)
			return
		}
		tp := textproto.NewConn(conn)
		var log strings.Builder
		tp.PrintfLine("220 relay.example ESMTP")
		for {
			line, err := tp.ReadLine()
			if err != nil {
				return
			}
			switch cmd := strings.ToUpper(strings.Fields(line + " x")[0]); cmd {
			case "EHLO", "HELO":
				tp.PrintfLine("250 relay.example")
			case "MAIL", "RCPT":
				log.WriteString(line + "\n")
				tp.PrintfLine("250 ok")
			case "DATA":
				tp.PrintfLine("354 go on")
				body, err := tp.ReadDotBytes()
				if err != nil {
					return
				}
				log.Write(body)
				tp.PrintfLine("250 queued")
			case "QUIT":
				tp.PrintfLine("221 bye")
				got <- log.String()
				return
			default:
				tp.PrintfLine("502 no")
			}
		}
	}()
	return l.Addr().String(), got
}

// --smtp hands the relay the one recipient named and the message.
func TestSMTPSends(t *testing.T) {
	addr, got := fakeRelay(t, false)
	msg := []byte("Subject: code\r\n\r\nhello\r\n")
	if err := (SMTP{Addr: addr}).Send(context.Background(), "acme@bcc.acme.example", []string{"ann@home.example"}, msg); err != nil {
		t.Fatal(err)
	}
	want := "MAIL FROM:<acme@bcc.acme.example>\nRCPT TO:<ann@home.example>\nSubject: code\n\nhello\n"
	if s := <-got; s != want {
		t.Errorf("relay got %q, want %q", s, want)
	}
}

// A relay that accepts the connection and then says nothing does not keep
// the command waiting beyond its context (nor, without one, beyond
// sendTimeout): net/smtp.SendMail had no limit at all.
func TestSMTPSilentRelayEnds(t *testing.T) {
	addr, accepted := fakeRelay(t, true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- (SMTP{Addr: addr}).Send(ctx, "", []string{"ann@home.example"}, []byte("x\r\n"))
	}()
	<-accepted
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Send to a silent relay succeeded")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Send to a silent relay still waiting 30 s after its context ended")
	}
}
