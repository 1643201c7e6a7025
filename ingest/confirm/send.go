package confirm

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
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
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
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

// sendTimeout bounds a confirmation's delivery to the relay or sendmail:
// a relay that accepts the connection and then says nothing would
// otherwise keep the command waiting for ever.
const sendTimeout = 60 * time.Second

func (s SMTP) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if err := checkEnvelope(from, to); err != nil {
		return err
	}
	if err := s.send(ctx, from, to, msg); err != nil {
		return fmt.Errorf("sending through %s: %w", s.Addr, err)
	}
	return nil
}

// send is smtp.SendMail (without authentication) under ctx and
// sendTimeout: STARTTLS when the relay offers it, then one transaction.
func (s SMTP) send(ctx context.Context, from string, to []string, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	// A cancelled ctx ends the conversation too, not only the deadline.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return err
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
