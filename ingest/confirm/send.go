package confirm

import (
	"bytes"
	"context"
	"fmt"
	"net/smtp"
	"os/exec"
	"strings"
	"time"

	"github.com/smartbcc/smartbcc/ingest/mailaddr"
)

// Sender delivers one composed email to the envelope recipients to, with
// the envelope sender from ("" for the null sender). The recipients are
// always given explicitly: nothing reads them out of the message's header,
// where a crafted address could name more.
type Sender interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// Sendmail pipes the message into a sendmail-compatible command, by default
// "/usr/sbin/sendmail -i", adding "-f FROM -- TO...". The command line is
// split on spaces; no shell is involved. A command with -t (recipients
// from the header) is refused.
type Sendmail struct {
	Command string
}

// DefaultSendmail is the command used when none is given.
const DefaultSendmail = "/usr/sbin/sendmail -i"

// checkEnvelope refuses envelope addresses that are not one plain
// addr-spec each: they go on a command line or into SMTP commands.
func checkEnvelope(from string, to []string) error {
	if len(to) == 0 {
		return fmt.Errorf("no recipient")
	}
	for _, a := range append([]string{from}, to...) {
		if a == "" && a == from {
			continue // the null sender
		}
		if _, err := mailaddr.ParseAddrSpec(a); err != nil || strings.ContainsAny(a, " \t\r\n<>,") {
			return fmt.Errorf("invalid envelope address %q", a)
		}
	}
	return nil
}

func (s Sendmail) Send(ctx context.Context, from string, to []string, msg []byte) error {
	cmdline := s.Command
	if cmdline == "" {
		cmdline = DefaultSendmail
	}
	args := strings.Fields(cmdline)
	for _, a := range args[1:] {
		if a == "-t" || a == "-ti" || a == "-it" {
			return fmt.Errorf("sendmail command %q reads recipients from the message (-t): leave -t out, smartbcc names the recipient itself", cmdline)
		}
	}
	if err := checkEnvelope(from, to); err != nil {
		return err
	}
	sender := from
	if sender == "" {
		sender = "<>"
	}
	args = append(append(args, "-f", sender, "--"), to...)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin = bytes.NewReader(msg)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		// What sendmail said, when it said something, is the cause.
		if said := firstLine(out.String()); said != "" {
			return fmt.Errorf("sending with %s: %v: %s", args[0], err, said)
		}
		return fmt.Errorf("sending with %s: %v", args[0], err)
	}
	return nil
}

// SMTP submits the message to a relay at Addr (HOST:PORT) without
// authentication, as a local MTA accepts it.
type SMTP struct {
	Addr string
}

func (s SMTP) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if err := checkEnvelope(from, to); err != nil {
		return err
	}
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
