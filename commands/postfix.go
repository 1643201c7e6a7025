package commands

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/lmtp"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
)

func newPostfixConfigCmd(app *App) *cobra.Command {
	var domain, user, binary, db, authMode string
	var lmtpMode bool
	var socket string
	var maxSize int64
	cmd := &cobra.Command{
		Use:   "postfix-config --domain D",
		Short: "Print the master.cf and main.cf lines that deliver the Bcc domain to smartbcc",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !validDomain(domain) {
				return store.Errorf(store.EInvalid, "invalid --domain %q", domain)
			}
			if maxSize <= 0 {
				return usageErrorf("--max-size must be a positive number of bytes")
			}
			if lmtpMode {
				// serve's store is --db (or SMARTBCC_DB), when given.
				if cmd.Flags().Changed("db") || os.Getenv("SMARTBCC_DB") != "" {
					if err := checkBccDomain(cmd, app, app.DBPath, domain); err != nil {
						return err
					}
				}
				return printLMTPConfig(app, domain, socket, maxSize)
			}
			if user == "root" {
				return store.Errorf(store.EInvalid, "Postfix refuses to run pipe commands as root: choose another --user")
			}
			// The store: --store, else the global --db when given on the
			// command line or by SMARTBCC_DB (the store the admin set up,
			// as README exports it), else the usual place; not --db's own
			// default, ./smartbcc.db wherever the command ran. The pipe
			// runs in Postfix's directory, so a relative path is made
			// absolute.
			if !cmd.Flags().Changed("store") && (cmd.Flags().Changed("db") || os.Getenv("SMARTBCC_DB") != "") {
				db = app.DBPath
			}
			if backend.Kind(db) != backend.Postgres && !filepath.IsAbs(db) {
				abs, err := filepath.Abs(db)
				if err != nil {
					return err
				}
				db = abs
			}
			if strings.ContainsAny(db, "$ \t{}") {
				return store.Errorf(store.EInvalid, "--db %s: Postfix would expand or split it in master.cf ($, spaces, braces): choose another path", backend.Redact(db))
			}
			if _, err := ingest.ParseAuthMode(authMode); err != nil {
				return asUsage(err)
			}

			if app.DNSZone != "" && app.DNSServer != "" {
				return usageErrorf("--dns-zone and --dns-server exclude each other")
			}
			// What the pipe needs besides the envelope: the DNS to ask,
			// the authentication mode, the size limit.
			var extra []string
			switch {
			case app.DNSServer != "":
				extra = append(extra, "--dns-server", app.DNSServer)
			case app.DNSZone != "":
				abs, err := filepath.Abs(app.DNSZone)
				if err != nil {
					return err
				}
				extra = append(extra, "--dns-zone", abs)
			}
			for _, v := range []string{app.DNSServer, app.DNSZone, authMode} {
				if strings.ContainsAny(v, "$ \t{}") {
					return store.Errorf(store.EInvalid, "%q: Postfix would expand or split it in master.cf ($, spaces, braces)", v)
				}
			}
			globals := strings.Join(extra, " ")
			if globals != "" {
				globals += " "
			}
			// Postfix counts the queue file's headers too, and pipe adds
			// Return-Path (flags=R): smartbcc's limit leaves room for
			// them, so that what Postfix accepts is never too large here.
			ingestArgs := "--max-size " + strconv.FormatInt(maxSize+postfixHeaderRoom, 10)
			if authMode != "verify" {
				ingestArgs += " --auth " + authMode
			}
			sizeLines := postfixSizeLines(maxSize)

			storeNote := fmt.Sprintf("# The store %s and its directory must be owned by %s, mode 0600/0700.", db, user)
			if backend.Kind(db) == backend.Postgres {
				if err := checkStoreURL(db); err != nil {
					return err
				}
				storeNote = "# Every MX host gets these same lines and the same URL. The password, if any,\n" +
					"# goes into ~" + user + "/.pgpass (or PGPASSFILE), never into master.cf, which\n" +
					"# every local user can read."
			}
			if err := checkBccDomain(cmd, app, db, domain); err != nil {
				return err
			}
			app.printf(`# /etc/postfix/master.cf
# Deliver the Bcc domain through smartbcc, one recipient per delivery.
# R adds Return-Path, X marks the delivery final; null_sender= passes
# bounces' empty sender as empty. No D: with it Postfix itself bounces any
# mail that carries a (forged) Delivered-To of the Bcc address, to the
# (forged) sender; smartbcc detects loops itself and bounces nothing.
# Exit 75 makes Postfix retry; see "smartbcc ingest --help".
smartbcc  unix  -       n       n       -       10      pipe
  flags=RX user=%[2]s null_sender= argv=%[3]s --db %[4]s %[6]singest --recipient ${recipient} --sender ${sender} --client-ip ${client_address} --helo ${client_helo} --queue-id ${queue_id} %[7]s

# /etc/postfix/main.cf
virtual_mailbox_domains = %[1]s
virtual_transport = smartbcc
smartbcc_destination_recipient_limit = 1
# Keep it below pipe's command_time_limit (default 1000s); smartbcc gives up
# with 75 after its own --timeout (default 5m) so nothing is lost.
smartbcc_time_limit = 600s
%[8]s%[9]s%[5]s
`, domain, user, binary, db, storeNote, globals, ingestArgs, sizeLines, smugglingLines)
			return nil
		},
	}
	cmd.Flags().StringVar(&domain, "domain", "", "the Bcc domain")
	cmd.Flags().StringVar(&user, "user", "smartbcc", "unprivileged user the pipe runs as (never root)")
	cmd.Flags().StringVar(&binary, "binary", "/usr/local/bin/smartbcc", "path of the smartbcc binary")
	cmd.Flags().StringVar(&db, "store", "/var/lib/smartbcc/smartbcc.db", "the store the pipe writes to (default: the global --db or SMARTBCC_DB when given)")
	cmd.Flags().StringVar(&authMode, "auth", "verify", "the pipe's --auth: verify, trust-authres=AUTHSERV-ID, or off")
	cmd.Flags().Int64Var(&maxSize, "max-size", ingest.DefaultMaxSize, "largest message in bytes: Postfix's message_size_limit; the pipe's and serve's limit is 16 KB more, room for the headers Postfix adds")
	cmd.Flags().BoolVar(&lmtpMode, "lmtp", false, "print the lines for the LMTP server (smartbcc serve) instead of the pipe")
	cmd.Flags().StringVar(&socket, "socket", "private/smartbcc", "with --lmtp: the server's socket, relative to Postfix's queue directory, or inet:HOST:PORT")
	_ = cmd.MarkFlagRequired("domain")
	return cmd
}

// smugglingLines are the main.cf lines that close SMTP smuggling, printed
// for the pipe and for LMTP alike. smartbcc decides who sent a message by
// its SPF and DKIM: a message that Postfix cut out of another one's data
// comes from the relay that carried it, whose address the sender's domain
// may well allow (a shared outbound service), with an envelope and a From
// of the attacker's choice. "yes" is the value's name in every Postfix
// that has it (later ones call it "normalize"); without it, Postfix before
// 3.9 ends the data at a bare <LF>.<LF>.
const smugglingLines = `# SMTP smuggling: end a message only at <CR><LF>.<CR><LF>, so that a relay
# that passes a bare <LF>.<LF> through cannot make Postfix take the rest of
# its message as a second one, from the relay's (SPF-allowed) address, with
# a sender of the attacker's choice. Postfix >= 3.5.23, 3.6.13, 3.7.9 or
# 3.8.4 (the default from 3.9, as "normalize"); clients in mynetworks are
# exempt (smtpd_forbid_bare_newline_exclusions).
smtpd_forbid_bare_newline = yes
`

// postfixSizeLines are the main.cf lines for a message_size_limit of
// maxSize; smartbcc's own limit is maxSize+postfixHeaderRoom.
func postfixSizeLines(maxSize int64) string {
	lines := fmt.Sprintf("# Postfix refuses larger mail at SMTP time (its default is 10240000);\n"+
		"# smartbcc's own limit is this plus room for the headers Postfix adds.\n"+
		"message_size_limit = %d\n", maxSize)
	if maxSize > postfixMailboxSizeLimit {
		lines += fmt.Sprintf("# Postfix refuses to start when mailbox_size_limit is below message_size_limit.\nmailbox_size_limit = %d\n", maxSize)
	}
	return lines
}

// postfixHeaderRoom is what smartbcc's limit adds to message_size_limit
// for the headers Postfix adds on the way (Received, Return-Path).
const postfixHeaderRoom = 16 << 10

// postfixMailboxSizeLimit is Postfix's default mailbox_size_limit.
const postfixMailboxSizeLimit = 51200000

// printLMTPConfig prints the lines that deliver the Bcc domain to
// "smartbcc serve" through Postfix's lmtp(8) client, as a service of its
// own so that its limits do not change another LMTP delivery (Dovecot's).
//
// The size limits are the pipe's: Postfix's message_size_limit is
// maxSize, and serve's --max-size has the pipe's room above it. (Postfix
// counts its queue file, Received: field and record overhead included,
// so the data it sends over LMTP stays under message_size_limit; the
// room costs nothing.)
func printLMTPConfig(app *App, domain, socket string, maxSize int64) error {
	next := "unix:" + socket
	listen := "unix:/var/spool/postfix/" + socket
	if addr, ok := strings.CutPrefix(socket, "inet:"); ok {
		next, listen = "inet:"+addr, "tcp:"+addr
	} else if strings.HasPrefix(socket, "/") || strings.Contains(socket, "..") || socket == "" {
		return store.Errorf(store.EInvalid, "--socket %q: want a path relative to Postfix's queue directory (private/NAME) or inet:HOST:PORT", socket)
	}
	app.printf(`# /etc/postfix/master.cf
# Postfix's lmtp(8) client, as a service of its own: its limits below do not
# change any other LMTP delivery. At most %[5]d deliveries at once. Lines
# are sent as they are: lmtp(8) breaks lines over 998 bytes by default
# (lmtp_line_length_limit), which HTML mail has, and that breaks the
# DKIM signature that the pipe transport, passing them unchanged, verifies.
smartbcc-lmtp  unix  -       -       n       -       %[5]d      lmtp
  -o lmtp_line_length_limit=0

# /etc/postfix/main.cf
# Deliver the Bcc domain to the smartbcc LMTP server, which listens with
#   smartbcc serve --lmtp %[3]s --max-size %[9]d
# (see contrib/smartbcc.service and contrib/smartbcc.socket).
virtual_mailbox_domains = %[1]s
virtual_transport = smartbcc-lmtp:%[2]s
# All recipients of a message in one transaction (the universal and a deal
# address are filed once); at most serve --max-recipients.
smartbcc-lmtp_destination_recipient_limit = %[4]d
# Keep it below serve --max-sessions (default %[6]d).
smartbcc-lmtp_destination_concurrency_limit = %[5]d
# A 4xx reply (store busy, DNS, timeout) defers the mail and Postfix retries.
# serve's --max-size must be at least message_size_limit plus %[7]d.
%[10]s%[8]s`, domain, next, listen, lmtp.DefaultMaxRecipients, 20, lmtp.DefaultMaxSessions, postfixHeaderRoom, smugglingLines,
		maxSize+postfixHeaderRoom, postfixSizeLines(maxSize))
	return nil
}

// checkBccDomain compares --domain with the Bcc domain of the store the
// lines name, when there is one to ask: a typo (bcc.acme.exmaple) would
// have Postfix hand smartbcc mail for a domain none of whose addresses it
// knows, or never deliver the real one, and nothing would say why. A
// mismatch is refused (exit 2) naming the store's domain. Without a store
// yet (postfix-config before init, or on another host than the store's)
// the lines are printed as before; a store that cannot be read (no
// permission, a server down) gets a warning on stderr, not a failure.
func checkBccDomain(cmd *cobra.Command, app *App, dsn, domain string) error {
	opt := app.StoreOptions
	opt.MustExist, opt.ReadOnly = true, true
	// The lines are printed whatever the store says: it is only looked
	// at, briefly. A PostgreSQL server that takes the connection and
	// never answers would hold the command for the whole connect timeout
	// (10s by default, each address) and then read as "store is busy".
	ctx, cancel := context.WithTimeout(cmd.Context(), domainCheckTimeout)
	defer cancel()
	warn := func(err error) {
		why := errorLine(err)
		if ctx.Err() == context.DeadlineExceeded {
			why = fmt.Sprintf("the store %s did not answer within %s", backend.Redact(dsn), domainCheckTimeout)
		}
		fmt.Fprintf(app.IO.ErrOut, "smartbcc: warning: --domain not compared with the store's Bcc domain: %s\n", why)
	}
	st, err := backend.Open(ctx, dsn, opt)
	if err != nil {
		if !errors.Is(err, store.ErrNoStore) {
			warn(err)
		}
		return nil
	}
	defer st.Close()
	var c *store.Company
	err = st.View(ctx, func(tx store.Tx) error {
		c, err = tx.Company()
		return err
	})
	switch {
	case store.IsNotFound(err):
		return nil // a store without its company: init not run yet
	case err != nil:
		warn(err)
		return nil
	}
	if !strings.EqualFold(strings.TrimSuffix(domain, "."), strings.TrimSuffix(c.BccDomain, ".")) {
		return store.Errorf(store.EInvalid, "--domain %s is not the store's Bcc domain (%s, in %s): Postfix would hand smartbcc mail it cannot file; give --domain %s",
			domain, c.BccDomain, backend.Redact(dsn), c.BccDomain)
	}
	return nil
}

// domainCheckTimeout bounds checkBccDomain's look at the store.
const domainCheckTimeout = 3 * time.Second

// checkStoreURL refuses a PostgreSQL URL that cannot go into master.cf as
// it is: Postfix expands $ in pipe arguments and splits them at spaces, and
// master.cf is readable by every local user, so no password belongs there.
func checkStoreURL(u string) error {
	if strings.ContainsAny(u, "$ \t{}") {
		return store.Errorf(store.EInvalid, "--store %s: Postfix would expand or split it in master.cf ($, spaces, braces): escape them in the URL (%%24, %%20)", backend.Redact(u))
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return store.Errorf(store.EInvalid, "--store: not a URL: %v", err)
	}
	if _, ok := parsed.User.Password(); ok || parsed.Query().Has("password") {
		return store.Errorf(store.EInvalid, "--store %s: a password in master.cf is readable by every local user: put it in the pipe user's ~/.pgpass instead", backend.Redact(u))
	}
	return nil
}
