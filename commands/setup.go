package commands

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest/bccaddr"
	"github.com/smartbcc/smartbcc/ingest/mailaddr"
	"github.com/smartbcc/smartbcc/store"
)

// normalizeEmail accepts one address (bare, or "Name <addr>") and returns
// its canonical form (mailaddr), or an EInvalid error naming the input.
func normalizeEmail(s string) (string, error) {
	a, err := mailaddr.ParseMailbox(strings.TrimSpace(s))
	if err != nil {
		return "", store.Errorf(store.EInvalid, "invalid email address %q: %s", s, addressProblem(err, s))
	}
	return a.Email(), nil
}

// addressProblem is what the strict parser found wrong in s, for a person
// who typed it ("domain \"x.example..\" ends with two dots"): its error
// without the "malformed address: " both its errors start with, nor the
// address again, which the message names already.
func addressProblem(err error, s string) string {
	why := strings.TrimPrefix(err.Error(), "malformed address: ")
	return strings.TrimPrefix(why, fmt.Sprintf("%q: ", strings.TrimSpace(s)))
}

// plainEmail is normalizeEmail for an address smartbcc matches senders
// against or sends mail to (a user's, an alternate one): one plain
// addr-spec, no quoting, no specials another program could split on, a
// domain name (mailaddr.Address.Simple). A mailbox with a display name,
// angle brackets or a comment is refused, naming the address alone (and
// nameFlag, the flag that gives a name, if any): its name would be
// dropped unsaid.
func plainEmail(s, nameFlag string) (string, error) {
	a, err := mailaddr.ParseSimple(strings.TrimSpace(s))
	if err == nil {
		return a.Email(), nil
	}
	if m, err := mailaddr.ParseMailbox(strings.TrimSpace(s)); err == nil && m.Simple() {
		also := ""
		if nameFlag != "" {
			also = " and the name with " + nameFlag
		}
		return "", store.Errorf(store.EInvalid, "invalid email address %q: give the address alone (%s)%s", s, m.Email(), also)
	}
	return "", store.Errorf(store.EInvalid, "invalid email address %q: want one plain address such as ann@acme.example (%s)", s, addressProblem(err, s))
}

// atBccDomain reports one of the company's Bcc addresses, or any address
// at its Bcc domain: the company's own, never a user's or a contact's.
func atBccDomain(c *store.Company, email string) bool {
	_, ok := bccaddr.Parse(email, c.Slug, c.BccDomain)
	return ok || strings.HasSuffix(email, "@"+strings.ToLower(c.BccDomain))
}

// refuseBccDomain refuses an address at the company's Bcc domain as a
// sender address: mail from it would be mail from smartbcc itself.
func refuseBccDomain(c *store.Company, email string) error {
	if atBccDomain(c, email) {
		return store.Errorf(store.EInvalid, "%s is at the Bcc domain %s and cannot be a sender address", email, c.BccDomain)
	}
	return nil
}

func validDomain(d string) bool {
	d = strings.TrimSuffix(strings.ToLower(d), ".")
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

type initOptions struct {
	company string
	slug    string
	domain  string
}

func newInitCmd(app *App) *cobra.Command {
	var opts initOptions
	cmd := &cobra.Command{
		Use:   "init --company NAME [--slug LOCAL-PART] --domain BCC-DOMAIN",
		Short: "Create the store and print the universal Bcc address",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInit(cmd, app, opts)
		},
	}
	cmd.Flags().StringVar(&opts.company, "company", "", "company name (its slug is the Bcc local part)")
	cmd.Flags().StringVar(&opts.slug, "slug", "", "local part of the universal Bcc address, instead of one made from NAME (needed when NAME has no Latin letters)")
	cmd.Flags().StringVar(&opts.domain, "domain", "", "domain the Bcc addresses live on")
	_ = cmd.MarkFlagRequired("company")
	_ = cmd.MarkFlagRequired("domain")
	return cmd
}

func runInit(cmd *cobra.Command, app *App, opts initOptions) error {
	domain := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(opts.domain)), ".")
	if !validDomain(domain) {
		return store.Errorf(store.EInvalid, "invalid domain %q", opts.domain)
	}
	slug, err := initSlug(opts)
	if err != nil {
		return err
	}
	app.createsStore = true
	st, err := app.Store(cmd.Context())
	if err != nil {
		return err
	}
	var c *store.Company
	err = st.Update(cmd.Context(), func(tx store.Tx) error {
		c, err = tx.CreateCompany(strings.TrimSpace(opts.company), slug, domain)
		return err
	})
	if err != nil {
		return err
	}
	universal := bccaddr.Address(c.Slug, c.BccDomain, bccaddr.Target{Kind: bccaddr.Universal})
	if app.JSON {
		return app.printJSON(companyOut{ID: c.ID, Name: c.Name, Slug: c.Slug, BccDomain: c.BccDomain,
			UniversalAddress: universal, CreatedAt: jsonTime(c.CreatedAt)})
	}
	app.printf("%s\n", universal)
	return nil
}

// initSlug is the universal address's local part: --slug, read in lower
// case as the domain is, or (when it is empty) one made from the company
// name. It is checked
// here, before a store is created, so that the error names the flag.
func initSlug(opts initOptions) (string, error) {
	if strings.TrimSpace(opts.slug) != "" {
		slug := strings.ToLower(strings.TrimSpace(opts.slug))
		if err := bccaddr.CheckSlug(slug); err != nil {
			return "", usageErrorf("invalid --slug %q: %v", opts.slug, err)
		}
		return slug, nil
	}
	slug := bccaddr.Slug(opts.company)
	if slug == "" {
		return "", usageErrorf("company name %q has no Latin letters or digits to make the Bcc address from: "+
			"give the local part with --slug (lower-case letters a-z, digits, '-', '_' and '.')", opts.company)
	}
	if err := bccaddr.CheckSlug(slug); err != nil {
		return "", usageErrorf("the Bcc local part made from company name %q would be %q: %v; give a shorter one with --slug", opts.company, slug, err)
	}
	return slug, nil
}

func newBccCmd(app *App) *cobra.Command {
	var dealID, leadID int64
	cmd := &cobra.Command{
		Use:   "bcc [--deal ID | --lead ID]",
		Short: "Print the universal Bcc address, or a deal's or lead's own",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dealID != 0 && leadID != 0 {
				return usageErrorf("give --deal or --lead, not both")
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var addr string
			var kind store.ItemKind
			var id int64
			var ref *itemRef
			err = st.View(cmd.Context(), func(tx store.Tx) error {
				c, err := tx.Company()
				if err != nil {
					return err
				}
				switch {
				case dealID != 0:
					kind, id = store.KindDeal, dealID
				case leadID != 0:
					kind, id = store.KindLead, leadID
				default:
					addr = bccaddr.Address(c.Slug, c.BccDomain, bccaddr.Target{Kind: bccaddr.Universal})
					return nil
				}
				it, err := tx.Item(kind, id)
				if err != nil {
					return err
				}
				if it.Status == store.StatusDeleted {
					// Mail to it is refused as to an unknown address:
					// an address that looks like it works would be
					// copied into mail that is then lost to the CRM.
					return store.Errorf(store.EConflict, "%s %d was removed: its Bcc address no longer accepts mail (smartbcc %s set %d --status open brings it back)", kind, id, kind, id)
				}
				addr = itemAddress(c, it)
				ref = &itemRef{Kind: it.Kind, ID: it.ID, Title: it.Title}
				return nil
			})
			if err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(bccOut{Address: addr, Item: ref})
			}
			app.printf("%s\n", addr)
			return nil
		},
	}
	cmd.Flags().Int64Var(&dealID, "deal", 0, "print this deal's Bcc address")
	cmd.Flags().Int64Var(&leadID, "lead", 0, "print this lead's Bcc address")
	return cmd
}

// bccOut is what `bcc` prints: an address and the item it files into.
type bccOut struct {
	Address string   `json:"address"`
	Item    *itemRef `json:"item"`
}

// itemAddress is the item's own Bcc address, "" for kinds without one.
func itemAddress(c *store.Company, it *store.Item) string {
	if !it.Kind.HasBccAddress() || it.Token == "" {
		return ""
	}
	return bccaddr.Address(c.Slug, c.BccDomain, bccaddr.Target{Kind: bccaddr.Kind(it.Kind), Token: it.Token})
}
