package commands

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest/auth"
	"github.com/smartbcc/smartbcc/ingest/mailaddr"
	"github.com/smartbcc/smartbcc/ingest/parse"
	"github.com/smartbcc/smartbcc/store"
)

func newAuthCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "auth", Short: "Sender authentication tools", Args: cobra.NoArgs}
	var clientIP, helo, sender string
	check := &cobra.Command{
		Use:   "check [FILE] --client-ip IP --helo NAME --sender ADDR",
		Short: "Print the DKIM, SPF and DMARC verdicts for one message without storing it",
		Long: `Check the sender authentication of one message (FILE, or standard input)
as ingest would, and say what ingest would decide on authentication alone:
stored, rejected, or deferred when a DNS answer it needs was not available.

Exit status, the same with and without --json: 0 stored, 1 rejected,
4 deferred (the pipe would exit 75 and Postfix would retry; 75 itself is
the pipe's only).`,
		Example: `  smartbcc auth check mail.eml --client-ip 192.0.2.10 --helo mx.example.com --sender ann@example.com
  smartbcc --json auth check - --client-ip 192.0.2.10 --sender ann@example.com < mail.eml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var raw []byte
			var err error
			if len(args) == 0 || args[0] == "-" {
				app.stdinHint("the message")
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
			out := authCheckOutput{}
			// The author is read as ingest reads it: once, strictly.
			fields, _ := parse.ReadFields(raw)
			from, fromErr := mailaddr.Author(fields)
			v, err := c.Check(cmd.Context(), auth.Input{Raw: raw, From: from, FromError: fromErr, ClientIP: ip, Helo: helo, MailFrom: sender})
			switch {
			case errors.Is(err, auth.ErrNotMessage):
				// ingest refuses such input as not_a_message.
				out.Decision = authDecision{Status: auth.DecisionRejected, Reason: "not_a_message", Detail: nullString(err.Error())}
			case err != nil:
				return store.Errorf(store.EInvalid, "%v", err)
			default:
				vo := newVerdictOut(v)
				out.verdict, out.Verdict = v, &vo
				out.Pass, out.Temporary = v.Pass(), v.Temporary()
				status, why := v.Decision()
				out.Decision = authDecision{Status: status, Detail: nullString(why)}
				if status != auth.DecisionStored {
					out.Decision.Reason = "auth_failed"
				}
			}
			if app.JSON {
				if err := app.printJSON(out); err != nil {
					return err
				}
			} else {
				printAuthCheck(app, out)
			}
			// The same status with and without --json, so that scripts
			// can rely on it: 0 stored, 1 rejected, 4 deferred (where the
			// pipe would exit 75: sysexits are the pipe's only).
			switch out.Decision.Status {
			case auth.DecisionStored:
				return nil
			case auth.DecisionDeferred:
				return &exitError{code: exitDeferred, silent: true}
			default:
				return &exitError{code: exitFailure, silent: true}
			}
		},
	}
	check.Flags().StringVar(&clientIP, "client-ip", "", "SMTP client IP (SPF)")
	check.Flags().StringVar(&helo, "helo", "", "HELO/EHLO name (SPF)")
	check.Flags().StringVar(&sender, "sender", "", "envelope sender (SPF); empty: the null sender, HELO is checked")
	cmd.AddCommand(check)
	return cmd
}

// authCheckOutput is what "auth check --json" prints: the verdict (null
// for input that is not a message), whether it passes or is temporary, and
// what ingest would do with the message on authentication alone.
type authCheckOutput struct {
	Verdict   *verdictOut  `json:"verdict"`
	Pass      bool         `json:"pass"`
	Temporary bool         `json:"temporary"`
	Decision  authDecision `json:"decision"`
	verdict   *auth.Verdict
}

// authDecision uses ingest's words: status stored, rejected or deferred;
// reason auth_failed or not_a_message, as "ingest --json" would give it.
type authDecision struct {
	Status string     `json:"status"`
	Reason nullString `json:"reason"`
	Detail nullString `json:"detail"`
}

// printAuthCheck prints the verdict as text. What the message's sender
// wrote (a DKIM-Signature's tags, and the library's errors quoting them)
// is shown with its control characters made visible, as show does.
func printAuthCheck(app *App, out authCheckOutput) {
	if v := out.verdict; v != nil {
		app.printf("from domain: %s\n", printable(v.FromDomain, false))
		for _, s := range v.Signatures {
			app.printf("dkim: d=%s s=%s a=%s: %s aligned=%v", printable(s.Domain, false), printable(s.Selector, false),
				printable(s.Algorithm, false), s.Result, s.Aligned)
			if s.Reason != "" {
				app.printf(" (%s)", printable(s.Reason, false))
			}
			app.printf("\n")
		}
		spf := "no domain checked"
		if v.SPFDomain != "" {
			spf = fmt.Sprintf("%s, aligned=%v", printable(v.SPFDomain, false), v.SPFAligned)
		}
		app.printf("dkim: %s\nspf: %s (%s)\ndmarc: %s\naligned: %v\nverdict: %s\n",
			v.DKIM, v.SPF, spf, v.DMARC, v.Aligned, printable(v.Summary(), false))
		app.printf("temporary: %v\n", out.Temporary)
	}
	d := out.Decision
	app.printf("decision: %s", d.Status)
	if d.Reason != "" {
		app.printf(" (%s: %s)", d.Reason, printable(string(d.Detail), false))
	}
	app.printf("\n")
}
