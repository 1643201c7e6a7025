package commands

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/auth"
	"github.com/smartbcc/smartbcc/ingest/bccaddr"
	"github.com/smartbcc/smartbcc/ingest/resolver"
	"github.com/smartbcc/smartbcc/store"
)

//go:embed demodata/*.eml
var demoMail embed.FS

// demoZone is the DNS the demo answers from: SPF allows 192.0.2.10, the
// DKIM key is generated at every run, DMARC asks for reject.
const demoZone = `$ORIGIN acme.example.
@                 300 IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc            300 IN TXT "v=DMARC1; p=reject"
demo._domainkey   300 IN TXT "v=DKIM1; k=ed25519; p=%s"
`

type demoMessage struct {
	file      string
	recipient string // "universal" or "deal"
	clientIP  string
	sign      bool
}

var demoMessages = []demoMessage{
	{"01-ann-to-bob.eml", "universal", "192.0.2.10", true},
	{"02-bob-reply-forwarded.eml", "universal", "192.0.2.10", true},
	{"03-ann-to-carol-deal.eml", "deal", "192.0.2.10", true},
	{"04-forged-ann.eml", "universal", "203.0.113.66", false},
	{"05-stranger.eml", "universal", "198.51.100.7", false},
}

func newDemoCmd(app *App) *cobra.Command {
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the main job end to end on sample mail in a throw-away store",
		Long: `Creates a throw-away store with a company, two users, persons and deals,
signs the embedded sample mail with a DKIM key made for this run, answers DNS
from an embedded zone, ingests the mail as Postfix would deliver it, and
prints what was filed, refused and linked.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(cmd.Context(), app, keep)
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the store and print its path")
	return cmd
}

func runDemo(ctx context.Context, app *App, keep bool) error {
	dir, err := os.MkdirTemp("", "smartbcc-demo-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	app.close()
	app.DBPath = filepath.Join(dir, "smartbcc.db")
	app.createsStore = true
	st, err := app.Store(ctx)
	if err != nil {
		return err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	zone, err := resolver.ParseZone(strings.NewReader(fmt.Sprintf(demoZone, base64.StdEncoding.EncodeToString(pub))), "acme.example.")
	if err != nil {
		return fmt.Errorf("demo zone: %w", err)
	}

	out := app.IO.Out
	say := func(format string, args ...any) { fmt.Fprintf(out, format, args...) }
	var company *store.Company
	var deal, carolDeal *store.Item
	err = st.Update(ctx, func(tx store.Tx) error {
		if company, err = tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
			return err
		}
		ann, err := tx.CreateUser("ann@acme.example", "Ann Seller")
		if err != nil {
			return err
		}
		if err := tx.UpdateSettings(ann.ID, store.Settings{AutoLink: true, DefaultShared: true}); err != nil {
			return err
		}
		if _, err := tx.CreateUser("dan@acme.example", "Dan Manager"); err != nil {
			return err
		}
		bob := &store.Person{Name: "Bob Buyer", Org: "Customer Ltd", Emails: []string{"bob@customer.example", "bob.buyer@customer.example"}}
		carol := &store.Person{Name: "Carol Chen", Org: "Bigco", Emails: []string{"carol@bigco.example"}}
		for _, p := range []*store.Person{bob, carol} {
			if err := tx.CreatePerson(p); err != nil {
				return err
			}
		}
		if deal, err = createItem(tx, store.KindDeal, "200 widgets for Customer Ltd", bob.ID, store.StatusOpen, ann.ID); err != nil {
			return err
		}
		if _, err = createItem(tx, store.KindDeal, "Last year's order", bob.ID, store.StatusWon, ann.ID); err != nil {
			return err
		}
		if carolDeal, err = createItem(tx, store.KindDeal, "Bigco rollout", carol.ID, store.StatusOpen, ann.ID); err != nil {
			return err
		}
		if _, err = createItem(tx, store.KindDeal, "Bigco support contract", carol.ID, store.StatusOpen, ann.ID); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	universal := bccaddr.Address(company.Slug, company.BccDomain, bccaddr.Target{Kind: bccaddr.Universal})
	dealAddr := itemAddress(company, carolDeal)
	say("smartbcc demo: store %s\n", app.DBPath)
	say("company Acme, universal Bcc address %s\n", universal)
	say("users: ann@acme.example (auto-link on, shares by default), dan@acme.example\n")
	say("persons: Bob Buyer (deal %d open, one deal won), Carol Chen (deals %d and another open)\n", deal.ID, carolDeal.ID)
	say("deal %d's own Bcc address: %s\n\n", carolDeal.ID, dealAddr)

	in := ingest.New(ingest.Options{
		Store: st, Auth: &auth.Checker{Resolver: zone}, AuthMode: ingest.AuthMode{Kind: "verify"},
		Source: store.SourcePipe, Now: app.Now,
	})
	say("Ingesting %d messages as Postfix would pipe them:\n", len(demoMessages))
	for _, dm := range demoMessages {
		raw, err := demoMail.ReadFile("demodata/" + dm.file)
		if err != nil {
			return err
		}
		raw = bytes.ReplaceAll(raw, []byte("{{universal}}"), []byte(universal))
		raw = bytes.ReplaceAll(raw, []byte("{{deal}}"), []byte(dealAddr))
		raw = bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		if dm.sign {
			var signed bytes.Buffer
			if err := dkim.Sign(&signed, bytes.NewReader(raw), &dkim.SignOptions{
				Domain: "acme.example", Selector: "demo", Signer: priv,
				HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID"},
			}); err != nil {
				return fmt.Errorf("signing %s: %w", dm.file, err)
			}
			raw = signed.Bytes()
		}
		rcpt := universal
		if dm.recipient == "deal" {
			rcpt = dealAddr
		}
		res, err := in.Ingest(ctx, ingest.Delivery{Raw: raw, Origin: dm.file, Envelope: store.Envelope{
			Sender: "ann@acme.example", Recipients: []string{rcpt}, ClientIP: dm.clientIP, Helo: "mail.acme.example"}})
		if err != nil {
			return err
		}
		say("\n%s -> %s", dm.file, res.Status)
		if res.Reason != "" {
			say(" (%s)", res.Reason)
		}
		if res.ID != 0 {
			say(" as message %d in thread %d", res.ID, res.ThreadID)
		}
		if res.Auth.DKIM == "" {
			say("\n  auth: not checked (refused before authentication)\n")
		} else {
			say("\n  auth: dkim=%s spf=%s dmarc=%s aligned=%v\n", res.Auth.DKIM, res.Auth.SPF, res.Auth.DMARC, res.Auth.Aligned)
		}
		for _, l := range res.Links {
			say("  linked to %s %d (%s)\n", l.Type, l.ID, l.How)
		}
		for _, e := range res.Explain {
			if strings.HasPrefix(e, "auto-link") || strings.HasPrefix(e, "forward") || strings.HasPrefix(e, "thread") ||
				strings.HasPrefix(e, "auth_failed") || strings.HasPrefix(e, "unknown_sender") {
				say("  why: %s\n", e)
			}
		}
	}

	say("\nAnn's inbox:\n")
	var entries []messageEntry
	var rejected []store.Rejection
	err = st.View(ctx, func(tx store.Tx) error {
		msgs, err := tx.ListMessages(store.MessageQuery{Oldest: true})
		if err != nil {
			return err
		}
		if entries, err = messageEntries(tx, msgs); err != nil {
			return err
		}
		rejected, err = tx.Rejections(time.Time{})
		return err
	})
	if err != nil {
		return err
	}
	printMessageTable(app, entries)
	say("\nRefused (smartbcc rejected):\n")
	sort.Slice(rejected, func(i, j int) bool { return rejected[i].ID < rejected[j].ID })
	for _, r := range rejected {
		say("  %s %s from %s: %s\n", r.Code, r.Reason, r.From, r.Subject)
	}
	if keep {
		say("\nThe store is kept: smartbcc --db %s inbox\n", app.DBPath)
	}
	return nil
}
