package commands

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/lmtp"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
)

func newPostfixConfigCmd(app *App) *cobra.Command {
	var domain, user, binary, db string
	var lmtpMode bool
	var socket string
	cmd := &cobra.Command{
		Use:   "postfix-config --domain D",
		Short: "Print the master.cf and main.cf lines that deliver the Bcc domain to smartbcc",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !validDomain(domain) {
				return store.Errorf(store.EInvalid, "invalid --domain %q", domain)
			}
			if lmtpMode {
				return printLMTPConfig(app, domain, socket)
			}
			if user == "root" {
				return store.Errorf(store.EInvalid, "Postfix refuses to run pipe commands as root: choose another --user")
			}
			storeNote := fmt.Sprintf("# The store %s and its directory must be owned by %s, mode 0600/0700.", db, user)
			if backend.Kind(db) == backend.Postgres {
				if err := checkStoreURL(db); err != nil {
					return err
				}
				storeNote = "# Every MX host gets these same lines and the same URL. The password, if any,\n" +
					"# goes into ~" + user + "/.pgpass (or PGPASSFILE), never into master.cf, which\n" +
					"# every local user can read."
			}
			app.printf(`# /etc/postfix/master.cf
# Deliver the Bcc domain through smartbcc, one recipient per delivery.
# R adds Return-Path, X marks the delivery final; null_sender= passes
# bounces' empty sender as empty. No D: with it Postfix itself bounces any
# mail that carries a (forged) Delivered-To of the Bcc address, to the
# (forged) sender; smartbcc detects loops itself and bounces nothing.
# Exit 75 makes Postfix retry; see "smartbcc ingest --help".
smartbcc  unix  -       n       n       -       10      pipe
  flags=RX user=%[2]s null_sender= argv=%[3]s --db %[4]s ingest --recipient ${recipient} --sender ${sender} --client-ip ${client_address} --helo ${client_helo} --queue-id ${queue_id}

# /etc/postfix/main.cf
virtual_mailbox_domains = %[1]s
virtual_transport = smartbcc
smartbcc_destination_recipient_limit = 1
# Keep it below pipe's command_time_limit (default 1000s); smartbcc gives up
# with 75 after its own --timeout (default 5m) so nothing is lost.
smartbcc_time_limit = 600s
%[5]s
`, domain, user, binary, db, storeNote)
			return nil
		},
	}
	cmd.Flags().StringVar(&domain, "domain", "", "the Bcc domain")
	cmd.Flags().StringVar(&user, "user", "smartbcc", "unprivileged user the pipe runs as (never root)")
	cmd.Flags().StringVar(&binary, "binary", "/usr/local/bin/smartbcc", "path of the smartbcc binary")
	cmd.Flags().StringVar(&db, "store", "/var/lib/smartbcc/smartbcc.db", "the store the pipe writes to")
	cmd.Flags().BoolVar(&lmtpMode, "lmtp", false, "print the lines for the LMTP server (smartbcc serve) instead of the pipe")
	cmd.Flags().StringVar(&socket, "socket", "private/smartbcc", "with --lmtp: the server's socket, relative to Postfix's queue directory, or inet:HOST:PORT")
	_ = cmd.MarkFlagRequired("domain")
	return cmd
}

// printLMTPConfig prints the lines that deliver the Bcc domain to
// "smartbcc serve" through Postfix's lmtp(8) client, as a service of its
// own so that its limits do not change another LMTP delivery (Dovecot's).
func printLMTPConfig(app *App, domain, socket string) error {
	next := "unix:" + socket
	listen := "unix:/var/spool/postfix/" + socket
	if addr, ok := strings.CutPrefix(socket, "inet:"); ok {
		next, listen = "inet:"+addr, "tcp:"+addr
	} else if strings.HasPrefix(socket, "/") || strings.Contains(socket, "..") || socket == "" {
		return store.Errorf(store.EInvalid, "--socket %q: want a path relative to Postfix's queue directory (private/NAME) or inet:HOST:PORT", socket)
	}
	app.printf(`# /etc/postfix/master.cf
# Postfix's lmtp(8) client, as a service of its own: its limits below do not
# change any other LMTP delivery. At most %[5]d deliveries at once.
smartbcc-lmtp  unix  -       -       n       -       %[5]d      lmtp

# /etc/postfix/main.cf
# Deliver the Bcc domain to the smartbcc LMTP server, which listens with
#   smartbcc serve --lmtp %[3]s
# (see contrib/smartbcc.service and contrib/smartbcc.socket).
virtual_mailbox_domains = %[1]s
virtual_transport = smartbcc-lmtp:%[2]s
# All recipients of a message in one transaction (the universal and a deal
# address are filed once); at most serve --max-recipients.
smartbcc-lmtp_destination_recipient_limit = %[4]d
# Keep it below serve --max-sessions (default %[6]d).
smartbcc-lmtp_destination_concurrency_limit = %[5]d
# A 4xx reply (store busy, DNS, timeout) defers the mail and Postfix retries;
# keep message_size_limit at or below serve --max-size (default %[7]d).
`, domain, next, listen, lmtp.DefaultMaxRecipients, 20, lmtp.DefaultMaxSessions, ingest.DefaultMaxSize)
	return nil
}

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
