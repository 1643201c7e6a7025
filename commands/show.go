package commands

import (
	"encoding/json"
	"strings"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/store"
)

// messageDetail is what `show` prints.
type messageDetail struct {
	ID           int64               `json:"id"`
	MessageID    string              `json:"message_id"`
	Owner        string              `json:"owner"`
	ThreadID     int64               `json:"thread_id"`
	Date         string              `json:"date"`
	ReceivedAt   string              `json:"received_at"`
	Source       string              `json:"source"`
	From         string              `json:"from"`
	FromName     string              `json:"from_name,omitempty"`
	Subject      string              `json:"subject"`
	ForwardedBy  string              `json:"forwarded_by,omitempty"`
	Shared       bool                `json:"shared"`
	Sharing      string              `json:"sharing"`
	Size         int64               `json:"size"`
	Envelope     store.Envelope      `json:"envelope"`
	Participants []store.Participant `json:"participants"`
	Auth         authDetail          `json:"auth"`
	Links        []store.Link        `json:"links"`
	Attachments  []store.Attachment  `json:"attachments"`
	Text         string              `json:"text"`
}

type authDetail struct {
	Mode    string          `json:"mode"`
	DKIM    string          `json:"dkim"`
	SPF     string          `json:"spf"`
	DMARC   string          `json:"dmarc"`
	Aligned bool            `json:"aligned"`
	Details json.RawMessage `json:"details,omitempty"`
}

func newShowCmd(app *App) *cobra.Command {
	var raw bool
	cmd := &cobra.Command{
		Use:   "show ID [--raw]",
		Short: "Show a message: headers, authentication, links, attachments",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("message", args[0])
			if err != nil {
				return err
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var d messageDetail
			var rawBytes []byte
			err = st.View(cmd.Context(), func(tx store.Tx) error {
				m, _, err := visibleMessage(tx, app, id)
				if err != nil {
					return err
				}
				if raw {
					rawBytes, err = tx.MessageRaw(id)
					return err
				}
				owner, err := tx.User(m.OwnerID)
				if err != nil {
					return err
				}
				links, err := tx.Links(id)
				if err != nil {
					return err
				}
				d = messageDetail{ID: m.ID, MessageID: m.MessageID, Owner: owner.Email, ThreadID: m.ThreadID,
					Date: rfc3339(m.Date), ReceivedAt: rfc3339(m.ReceivedAt), Source: m.Source, From: m.FromEmail,
					FromName: m.FromName, Subject: m.Subject, ForwardedBy: m.ForwardedBy, Shared: m.Shared,
					Sharing: sharing(m.Shared), Size: m.Size, Envelope: m.Envelope, Participants: m.Participants,
					Auth: authDetail{Mode: m.Auth.Mode, DKIM: m.Auth.DKIM, SPF: m.Auth.SPF, DMARC: m.Auth.DMARC,
						Aligned: m.Auth.Aligned, Details: json.RawMessage(m.Auth.Details)},
					Links: links, Attachments: m.Attachments, Text: m.TextBody}
				if len(d.Auth.Details) == 0 {
					d.Auth.Details = nil
				}
				if d.Links == nil {
					d.Links = []store.Link{}
				}
				if d.Attachments == nil {
					d.Attachments = []store.Attachment{}
				}
				return nil
			})
			if err != nil {
				return err
			}
			if raw {
				_, err := app.IO.Out.Write(rawBytes)
				return err
			}
			if app.JSON {
				return app.printJSON(d)
			}
			printMessageDetail(app, d)
			return nil
		},
	}
	cmd.Flags().BoolVar(&raw, "raw", false, "print the stored bytes exactly as received")
	return cmd
}

func printMessageDetail(app *App, d messageDetail) {
	app.printf("Message %d <%s>\n", d.ID, d.MessageID)
	app.printf("Owner:    %s (%s)\n", d.Owner, d.Sharing)
	app.printf("Date:     %s\n", d.Date)
	app.printf("Subject:  %s\n", d.Subject)
	for _, p := range d.Participants {
		if p.Name != "" {
			app.printf("%-9s %s <%s>\n", strings.ToUpper(p.Role[:1])+strings.ReplaceAll(p.Role[1:], "_", "-")+":", p.Name, p.Email)
		} else {
			app.printf("%-9s %s\n", strings.ToUpper(p.Role[:1])+strings.ReplaceAll(p.Role[1:], "_", "-")+":", p.Email)
		}
	}
	if d.ForwardedBy != "" {
		app.printf("Forwarded by: %s\n", d.ForwardedBy)
	}
	app.printf("Thread:   %d\n", d.ThreadID)
	app.printf("Auth:     mode=%s dkim=%s spf=%s dmarc=%s aligned=%v\n", d.Auth.Mode, d.Auth.DKIM, d.Auth.SPF, d.Auth.DMARC, d.Auth.Aligned)
	if len(d.Auth.Details) > 0 {
		var v struct {
			Signatures []struct {
				Domain, Selector, Result, Reason string
				Aligned                          bool
			}
		}
		if json.Unmarshal(d.Auth.Details, &v) == nil {
			for _, s := range v.Signatures {
				app.printf("  dkim d=%s s=%s: %s aligned=%v %s\n", s.Domain, s.Selector, s.Result, s.Aligned, s.Reason)
			}
		}
	}
	for _, l := range d.Links {
		app.printf("Link:     %s %d (%s)\n", l.Kind, l.ItemID, l.How)
	}
	for _, a := range d.Attachments {
		app.printf("Attachment: %s (%s, %d bytes, sha256 %s)\n", a.Name, a.ContentType, a.Size, a.SHA256)
	}
	app.printf("\n%s\n", strings.TrimRight(d.Text, "\n"))
}

func newThreadCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "thread ID",
		Short: "Show a conversation in order (the messages you may see)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("thread", args[0])
			if err != nil {
				return err
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var th *store.Thread
			var entries []messageEntry
			err = st.View(cmd.Context(), func(tx store.Tx) error {
				viewer, err := app.viewerID(tx)
				if err != nil {
					return err
				}
				if th, err = tx.Thread(id); err != nil {
					return err
				}
				msgs, err := tx.ListMessages(store.MessageQuery{Viewer: viewer, ThreadID: id, Oldest: true})
				if err != nil {
					return err
				}
				if len(msgs) == 0 {
					return store.Errorf(store.ENotFound, "no such thread %d", id)
				}
				entries, err = messageEntries(tx, msgs)
				return err
			})
			if err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(map[string]any{"id": th.ID, "subject": th.Subject, "deal_id": th.DealID,
					"lead_id": th.LeadID, "project_id": th.ProjectID, "messages": entries})
			}
			app.printf("Thread %d: %s\n", th.ID, th.Subject)
			for _, k := range store.ItemKinds {
				if id := th.ItemID(k); id != 0 {
					app.printf("Belongs to %s %d\n", k, id)
				}
			}
			printMessageTable(app, entries)
			return nil
		},
	}
}
