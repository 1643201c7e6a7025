package commands

import (
	"io"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest/auth"
	"github.com/smartbcc/smartbcc/store"
)

func newAuthCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "auth", Short: "Sender authentication tools", Args: cobra.NoArgs}
	var clientIP, helo, sender string
	check := &cobra.Command{
		Use:   "check [FILE] --client-ip IP --helo NAME --sender ADDR",
		Short: "Print the DKIM, SPF and DMARC verdicts for one message without storing it",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var raw []byte
			var err error
			if len(args) == 0 || args[0] == "-" {
				raw, err = io.ReadAll(io.LimitReader(app.IO.In, 64<<20))
			} else {
				raw, err = os.ReadFile(args[0])
			}
			if err != nil {
				return store.Errorf(store.EInvalid, "reading message: %v", err)
			}
			var ip net.IP
			if clientIP != "" {
				if ip = net.ParseIP(clientIP); ip == nil {
					return store.Errorf(store.EInvalid, "invalid --client-ip %q", clientIP)
				}
			}
			r, err := app.Resolver()
			if err != nil {
				return err
			}
			c := &auth.Checker{Resolver: r, Timeout: 20 * time.Second}
			v, err := c.Check(cmd.Context(), auth.Input{Raw: raw, ClientIP: ip, Helo: helo, MailFrom: sender})
			if err != nil {
				return store.Errorf(store.EInvalid, "%v", err)
			}
			if app.JSON {
				return app.printJSON(v)
			}
			app.printf("from domain: %s\n", v.FromDomain)
			for _, s := range v.Signatures {
				app.printf("dkim: d=%s s=%s a=%s: %s aligned=%v", s.Domain, s.Selector, s.Algorithm, s.Result, s.Aligned)
				if s.Reason != "" {
					app.printf(" (%s)", s.Reason)
				}
				app.printf("\n")
			}
			app.printf("dkim: %s\nspf: %s (%s, aligned=%v)\ndmarc: %s\naligned: %v\nverdict: %s\n",
				v.DKIM, v.SPF, v.SPFDomain, v.SPFAligned, v.DMARC, v.Aligned, v.Summary())
			if v.Temporary() {
				return &exitError{code: exitTempFail, silent: true}
			}
			return nil
		},
	}
	check.Flags().StringVar(&clientIP, "client-ip", "", "SMTP client IP (SPF)")
	check.Flags().StringVar(&helo, "helo", "", "HELO/EHLO name (SPF)")
	check.Flags().StringVar(&sender, "sender", "", "envelope sender (SPF); empty: the null sender, HELO is checked")
	cmd.AddCommand(check)
	return cmd
}
