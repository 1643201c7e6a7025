package confirm

import (
	"bytes"
	"context"
	"fmt"
	"net/smtp"
	"os/exec"
	"strings"
	"time"
)

// Sender delivers one composed email.
type Sender interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// Sendmail pipes the message into a sendmail-compatible command, by default
// "/usr/sbin/sendmail -t -i". The command line is split on spaces; no shell
// is involved.
type Sendmail struct {
	Command string
}

// DefaultSendmail is the command used when none is given.
const DefaultSendmail = "/usr/sbin/sendmail -t -i"

func (s Sendmail) Send(ctx context.Context, from string, to []string, msg []byte) error {
	cmdline := s.Command
	if cmdline == "" {
		cmdline = DefaultSendmail
	}
	args := strings.Fields(cmdline)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin = bytes.NewReader(msg)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("sending with %s: %v: %s", args[0], err, firstLine(out.String()))
	}
	return nil
}

// SMTP submits the message to a relay at Addr (HOST:PORT) without
// authentication, as a local MTA accepts it.
type SMTP struct {
	Addr string
}

func (s SMTP) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if err := smtp.SendMail(s.Addr, nil, from, to, msg); err != nil {
		return fmt.Errorf("sending through %s: %w", s.Addr, err)
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
