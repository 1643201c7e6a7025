package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/bccaddr"
	"github.com/smartbcc/smartbcc/ingest/confirm"
	"github.com/smartbcc/smartbcc/store"
)

type addressAddOptions struct {
	user           string
	sendmail       string
	smtp           string
	envelopeSender string
	resend         bool
}

func newAddressCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "address", Short: "Manage a user's alternate sender addresses", Args: cobra.NoArgs}
	var opts addressAddOptions
	add := &cobra.Command{
		Use:   "add [--user U] ADDR [--resend]",
		Short: "Add an alternate sender address and send it a confirmation email",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAddressAdd(cmd.Context(), app, opts, args[0])
		},
	}
	add.Flags().StringVar(&opts.user, "user", "", "the `user` (email or id); with --as, that user")
	add.Flags().StringVar(&opts.sendmail, "sendmail", confirm.DefaultSendmail, "sendmail-compatible `command` for the confirmation email")
	add.Flags().StringVar(&opts.smtp, "smtp", "", "send the confirmation through this SMTP relay (`host:port`) instead")
	add.Flags().StringVar(&opts.envelopeSender, "envelope-sender", "", "envelope sender (`ADDR`, or <> for none) of the confirmation; default the company's Bcc address, where a bounce is recorded")
	add.Flags().BoolVar(&opts.resend, "resend", false, "send a new code even though one sent before is still valid (it stops working)")

	var listUser string
	list := &cobra.Command{
		Use:   "list [--user U]",
		Short: "List a user's sender addresses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var addrs []store.Address
			var owner userRef
			if err := st.View(cmd.Context(), func(tx store.Tx) error {
				u, err := app.userForChange(tx, listUser)
				if err != nil {
					return err
				}
				owner = userRef{ID: u.ID, Email: u.Email}
				addrs, err = tx.Addresses(u.ID)
				return err
			}); err != nil {
				return err
			}
			if app.JSON {
				out := []addressOut{}
				for i := range addrs {
					out = append(out, newAddressOut(&addrs[i], owner))
				}
				return app.printJSON(out)
			}
			// When the code of an address waiting for its confirmation runs
			// out (address add sends a new one after that); a new column
			// goes last, as scripts read them by position.
			t := newTable("ADDRESS", "STATUS", "PRIMARY", "CODE-EXPIRES")
			for _, a := range addrs {
				expires := ""
				if !a.Confirmed && !a.CodeExpires.IsZero() {
					expires = app.tableTime(a.CodeExpires)
					if app.Now().After(a.CodeExpires) {
						expires += " (expired)"
					}
				}
				t.row(a.Email, a.Status(), fmt.Sprint(a.Primary), expires)
			}
			app.printTable(t)
			return nil
		},
	}
	list.Flags().StringVar(&listUser, "user", "", "the `user` (email or id); with --as, that user")

	var removeUser string
	remove := &cobra.Command{
		Use:   "remove [--user U] ADDR",
		Short: "Stop accepting Bcc mail from an alternate address",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			email, err := normalizeEmail(args[0])
			if err != nil {
				return err
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var removed addressOut
			if err := st.Update(cmd.Context(), func(tx store.Tx) error {
				u, err := app.userForChange(tx, removeUser)
				if err != nil {
					return err
				}
				if email == u.Email {
					return store.Errorf(store.EConflict, "%s is the primary address of %s and cannot be removed", email, u.Email)
				}
				if a, err := tx.AddressByEmail(email); err == nil && a.UserID == u.ID {
					removed = newAddressOut(a, userRef{ID: u.ID, Email: u.Email})
				}
				return tx.RemoveAddress(u.ID, email)
			}); err != nil {
				return err
			}
			if !app.JSON {
				app.printf("removed %s\n", email)
				return nil
			}
			return app.printJSON(removed)
		},
	}
	remove.Flags().StringVar(&removeUser, "user", "", "the `user` (email or id); with --as, that user")

	verify := &cobra.Command{
		Use:   "verify CODE",
		Short: "Confirm an alternate address with the code from its confirmation email",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var a *store.Address
			var out verifyReport
			if err := st.Update(cmd.Context(), func(tx store.Tx) error {
				a, err = confirmAddressByCode(tx, args[0], "", app.Now())
				if err != nil {
					return err
				}
				u, err := newNames(tx).user(a.UserID)
				out.Address = newAddressOut(a, u)
				return err
			}); err != nil {
				return err
			}
			in, err := releasingIngester(app, st, ingest.AuthMode{Kind: "verify"})
			if err != nil {
				return err
			}
			released, held, err := in.ReleaseHeld(cmd.Context(), a.Email)
			if err != nil {
				return err
			}
			out.Released, out.Held = released, held
			if app.JSON {
				return app.printJSON(out)
			}
			app.printf("confirmed %s; released %s held for it\n", a.Email, plural(released, "message"))
			if held > 0 {
				// The list does not say why; a release by hand does.
				app.printf("%s still held: see smartbcc quarantine list; smartbcc quarantine release ID says why\n", plural(held, "message"))
			}
			return nil
		},
	}
	cmd.AddCommand(add, list, remove, verify)
	return cmd
}

// verifyReport is what `address verify` prints: the confirmed address,
// how many held messages it released, and how many it could not release
// now (a DNS failure, or authentication failing), which stay held.
type verifyReport struct {
	Address  addressOut `json:"address"`
	Released int        `json:"released"`
	Held     int        `json:"held"`
}

// confirmAddressByCode confirms the address the code was sent to. When
// from is not empty (a reply to the confirmation email), it must be that
// address. A wrong or expired code changes nothing.
func confirmAddressByCode(tx store.Tx, code, from string, now time.Time) (*store.Address, error) {
	a, err := tx.AddressByCodeHash(confirm.Hash(code))
	if store.IsNotFound(err) {
		return nil, store.Errorf(store.EInvalid, "unknown confirmation code")
	}
	if err != nil {
		return nil, err
	}
	if a.Confirmed {
		// A code is good once: saying so (and failing) tells the user
		// the address is confirmed already, and a replayed code does
		// nothing.
		when := ""
		if a.ConfirmedAt != nil {
			when = " on " + rfc3339(*a.ConfirmedAt)
		}
		return nil, store.Errorf(store.EConflict, "confirmation code already used: %s was confirmed%s", a.Email, when)
	}
	if from != "" && !strings.EqualFold(from, a.Email) {
		return nil, store.Errorf(store.EPermission, "confirmation reply came from %s, not from %s", from, a.Email)
	}
	if now.After(a.CodeExpires) {
		return nil, store.Errorf(store.EConflict, "confirmation code for %s expired on %s; add the address again for a new code", a.Email, rfc3339(a.CodeExpires))
	}
	if err := tx.ConfirmAddress(a.ID, now); err != nil {
		return nil, err
	}
	a.Confirmed = true
	a.ConfirmedAt = &now
	return a, nil
}

// addressTaken is the refusal of an address that is some user's already,
// saying whose and in what state: a colleague's, the same user's
// confirmed one, or one waiting for its confirmation.
func addressTaken(tx store.Tx, a *store.Address) error {
	owner, err := tx.User(a.UserID)
	if err != nil {
		return err
	}
	what := "an unconfirmed sender address of " + owner.Email
	switch {
	case a.Primary:
		what = "the primary address of user " + owner.Email
	case a.Confirmed:
		what = "a confirmed sender address of " + owner.Email
	}
	return store.Errorf(store.EConflict, "address %s is already registered: %s", a.Email, what)
}

func runAddressAdd(ctx context.Context, app *App, opts addressAddOptions, rawAddr string) error {
	// The address is where a one-time code goes: one plain addr-spec,
	// never a list a mail program could read more recipients out of.
	email, err := plainEmail(rawAddr, "")
	if err != nil {
		return err
	}
	envelopeSender := opts.envelopeSender
	if envelopeSender != "" && envelopeSender != "<>" {
		if envelopeSender, err = plainEmail(envelopeSender, ""); err != nil {
			return usageErrorf("--envelope-sender: %v", err)
		}
	}
	var sender confirm.Sender = confirm.Sendmail{Command: opts.sendmail}
	if opts.smtp != "" {
		sender = confirm.SMTP{Addr: opts.smtp}
	}
	code, hash, err := confirm.NewCode()
	if err != nil {
		return err
	}
	now := app.Now()
	st, err := app.Store(ctx)
	if err != nil {
		return err
	}
	// The address is recorded, then the email sent outside the
	// transaction: sending may take a minute (a slow relay), and the
	// store's write lock held meanwhile would turn away every delivery.
	// If sending fails, what was recorded is undone (undoAddressAdd), so
	// that the address is not left behind unconfirmable and a --resend
	// keeps the code sent before. (A crash while sending leaves the new
	// code pending, unsent: running the command with --resend sends one.)
	var msg confirm.Email
	var out addressOut
	var envelopeFrom string
	var replaced *store.Address // the pending address a new code replaced
	err = st.Update(ctx, func(tx store.Tx) error {
		replaced = nil
		c, err := tx.Company()
		if err != nil {
			return err
		}
		u, err := app.userForChange(tx, opts.user)
		if err != nil {
			return err
		}
		if existing, err := tx.AddressByEmail(email); err == nil {
			if existing.UserID != u.ID || existing.Confirmed {
				return addressTaken(tx, existing)
			}
			// Unconfirmed address of the same user. While its code is
			// valid, running the command again (a script run twice, an
			// admin unsure it worked) sends nothing: another email
			// would flood the address and void the code its owner may
			// be typing. An expired code, or --resend, gets a new one.
			// (The row is made anew with each code, so its created_at
			// is when the pending code was sent.)
			if !opts.resend && now.Before(existing.CodeExpires) {
				return store.Errorf(store.EConflict, "%s is waiting for its confirmation: a code was sent on %s, valid until %s; --resend sends a new one",
					email, rfc3339(existing.CreatedAt), rfc3339(existing.CodeExpires))
			}
			if err := tx.RemoveAddress(u.ID, email); err != nil {
				return err
			}
			replaced = existing
		} else if !store.IsNotFound(err) {
			return err
		}
		if err := refuseBccDomain(c, email); err != nil {
			return err
		}
		if err := refuseContactAddress(tx, email); err != nil {
			return err
		}
		a := &store.Address{UserID: u.ID, Email: email, CodeHash: hash, CodeExpires: now.Add(confirm.Lifetime), CreatedAt: now}
		if err := tx.AddAddress(a); err != nil {
			return err
		}
		out = newAddressOut(a, userRef{ID: u.ID, Email: u.Email})
		msg = confirm.Email{
			From:      bccaddr.Address(c.Slug, c.BccDomain, bccaddr.Target{Kind: bccaddr.Universal}),
			ReplyTo:   bccaddr.Address(c.Slug, c.BccDomain, bccaddr.Target{Kind: bccaddr.Confirm, Token: code}),
			To:        email,
			UserName:  u.Name,
			UserEmail: u.Email,
			Company:   c.Name,
			Code:      code,
			Expires:   a.CodeExpires,
			Now:       now,
		}
		// Explicit envelope: the one recipient, and a sender that is not
		// whoever runs this (root): the Bcc address by default, so that a
		// bounce comes back to smartbcc and is recorded.
		envelopeFrom = msg.From
		switch envelopeSender {
		case "<>":
			envelopeFrom = ""
		case "":
		default:
			envelopeFrom = envelopeSender
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := sender.Send(ctx, envelopeFrom, []string{email}, msg.Compose()); err != nil {
		if undoErr := undoAddressAdd(context.WithoutCancel(ctx), st, hash, email, replaced, now); undoErr != nil {
			return fmt.Errorf("%w; and the address could not be removed again (%v): remove it with smartbcc address remove %s", err, undoErr, email)
		}
		return err
	}
	if app.JSON {
		return app.printJSON(out)
	}
	// The code is not printed: only the owner of the address may see it.
	app.printf("added %s (unconfirmed); confirmation email sent, valid until %s\n", email, app.longTime(msg.Expires))
	return nil
}

// undoAddressAdd takes back what address add recorded when its email could
// not be sent: the address with the new code (hash) is removed, and the
// pending address it replaced, if any, is put back while its code is
// still valid. An address changed since (confirmed, or given yet another
// code) is left alone.
func undoAddressAdd(ctx context.Context, st store.Store, hash, email string, replaced *store.Address, now time.Time) error {
	return st.Update(ctx, func(tx store.Tx) error {
		a, err := tx.AddressByEmail(email)
		if store.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if a.Confirmed || a.CodeHash != hash {
			return nil
		}
		if err := tx.RemoveAddress(a.UserID, email); err != nil {
			return err
		}
		if replaced == nil || !now.Before(replaced.CodeExpires) {
			return nil
		}
		back := &store.Address{UserID: replaced.UserID, Email: replaced.Email, CodeHash: replaced.CodeHash,
			CodeExpires: replaced.CodeExpires, CreatedAt: replaced.CreatedAt}
		return tx.AddAddress(back)
	})
}
