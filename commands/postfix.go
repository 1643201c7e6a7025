package commands

import (
	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/store"
)

func newPostfixConfigCmd(app *App) *cobra.Command {
	var domain, user, binary, db string
	cmd := &cobra.Command{
		Use:   "postfix-config --domain D",
		Short: "Print the master.cf and main.cf lines that deliver the Bcc domain to smartbcc",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !validDomain(domain) {
				return store.Errorf(store.EInvalid, "invalid --domain %q", domain)
			}
			if user == "root" {
				return store.Errorf(store.EInvalid, "Postfix refuses to run pipe commands as root: choose another --user")
			}
			app.printf(`# /etc/postfix/master.cf
# Deliver the Bcc domain through smartbcc, one recipient per delivery.
# D adds Delivered-To (loop detection), R adds Return-Path, X marks the
# delivery final; null_sender= passes bounces' empty sender as empty. Exit 75 makes Postfix retry; see "smartbcc ingest --help".
smartbcc  unix  -       n       n       -       10      pipe
  flags=DRX user=%[2]s null_sender= argv=%[3]s --db %[4]s ingest --recipient ${recipient} --sender ${sender} --client-ip ${client_address} --helo ${client_helo} --queue-id ${queue_id}

# /etc/postfix/main.cf
virtual_mailbox_domains = %[1]s
virtual_transport = smartbcc
smartbcc_destination_recipient_limit = 1
# Keep it below pipe's command_time_limit (default 1000s); smartbcc gives up
# with 75 after its own --timeout (default 5m) so nothing is lost.
smartbcc_time_limit = 600s
# The store %[4]s and its directory must be owned by %[2]s, mode 0600/0700.
`, domain, user, binary, db)
			return nil
		},
	}
	cmd.Flags().StringVar(&domain, "domain", "", "the Bcc domain")
	cmd.Flags().StringVar(&user, "user", "smartbcc", "unprivileged user the pipe runs as (never root)")
	cmd.Flags().StringVar(&binary, "binary", "/usr/local/bin/smartbcc", "path of the smartbcc binary")
	cmd.Flags().StringVar(&db, "store", "/var/lib/smartbcc/smartbcc.db", "the store the pipe writes to")
	_ = cmd.MarkFlagRequired("domain")
	return cmd
}
