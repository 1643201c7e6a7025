package commands

import "github.com/spf13/cobra"

// examples are the Examples: of the commands that do not set their own in
// their file, by command path. Every command has some (a test holds it):
// people learn a command from its examples first.
var examples = map[string]string{
	"smartbcc": `  smartbcc init --company Acme --domain bcc.acme.example
  smartbcc user add ann@acme.example --name "Ann Seller"
  smartbcc ingest --user ann@acme.example --auth off old-mail.mbox
  smartbcc search 'from:bob invoice' --user ann@acme.example
  smartbcc --as ann@acme.example inbox --since 7d`,
	"smartbcc init": `  smartbcc init --company Acme --domain bcc.acme.example
  SMARTBCC_DB=/var/lib/smartbcc/smartbcc.db smartbcc init --company Acme --domain bcc.acme.example
  smartbcc --db postgres://smartbcc@db.internal/smartbcc init --company Acme --domain bcc.acme.example
  smartbcc init --company 株式会社サンプル --slug sample --domain bcc.sample.example`,
	"smartbcc bcc": `  smartbcc bcc
  smartbcc bcc --deal 3
  smartbcc --json bcc --lead 7`,
	"smartbcc user": `  smartbcc user add ann@acme.example --name "Ann Seller"
  smartbcc user list`,
	"smartbcc user add": `  smartbcc user add ann@acme.example --name "Ann Seller"
  smartbcc --json user add dan@acme.example --name "Dan Manager"`,
	"smartbcc user list": `  smartbcc user list
  smartbcc --json user list | jq -r '.[].email'`,
	"smartbcc person": `  smartbcc person add --name "Bob Buyer" --email bob@customer.example --org "Customer Ltd"
  smartbcc person list --query bob`,
	"smartbcc deal": `  smartbcc deal add --title "200 widgets" --person 1 --owner ann@acme.example
  smartbcc deal list --status open
  smartbcc deal set 3 --status won`,
	"smartbcc lead": `  smartbcc lead add --title "Trade fair contact" --person 2
  smartbcc lead convert 4`,
	"smartbcc project": `  smartbcc project add --title "Rollout 2027" --person 1
  smartbcc project list`,
	"smartbcc settings": `  smartbcc settings show --user ann@acme.example
  smartbcc settings set --user ann@acme.example auto-link on`,
	"smartbcc settings show": `  smartbcc settings show --user ann@acme.example
  smartbcc --as ann@acme.example --json settings show --user ann@acme.example`,
	"smartbcc settings set": `  smartbcc settings set --user ann@acme.example auto-link on
  smartbcc settings set --user ann@acme.example default-sharing shared
  smartbcc --as ann@acme.example settings set --user ann@acme.example create-persons off`,
	"smartbcc address": `  smartbcc address add --user ann@acme.example ann@home.example
  smartbcc address list --user ann@acme.example`,
	"smartbcc address add": `  smartbcc address add --user ann@acme.example ann@home.example   # sends a confirmation email
  smartbcc --as ann@acme.example address add --user ann@acme.example ann.seller@gmail.example`,
	"smartbcc address list": `  smartbcc address list --user ann@acme.example
  smartbcc --json address list --user ann@acme.example`,
	"smartbcc address remove": `  smartbcc address remove --user ann@acme.example ann@home.example`,
	"smartbcc address verify": `  smartbcc address verify k7q2mxdp4rtw5byh   # the code from the confirmation email`,
	"smartbcc inbox": `  smartbcc --as ann@acme.example inbox
  smartbcc inbox --user ann@acme.example --item deal:3
  smartbcc inbox --unlinked --since 7d
  smartbcc inbox --since 2026-01-01 --until 2026-01-31 --limit 50 --offset 50
  smartbcc --json inbox --person bob@customer.example | jq -r '.[].subject'`,
	"smartbcc search": `  smartbcc search widgets
  smartbcc search '"price list" -draft' --user ann@acme.example
  smartbcc search 'from:bob@customer.example OR from:carol after:2026-01-01'
  smartbcc search 見積 --sort date
  smartbcc search 'deal:3 has:attachment' --limit 0
  smartbcc search 'person:bob@customer.example invoice'
  smartbcc --json search 'subject:invoice' | jq -r '.[].id'`,
	"smartbcc show": `  smartbcc show 12
  smartbcc show 12 --raw > message.eml
  smartbcc --json show 12 | jq .auth`,
	"smartbcc thread": `  smartbcc thread 4
  smartbcc thread '<CAF1234@mail.example>'
  smartbcc thread --message 12`,
	"smartbcc rejected": `  smartbcc rejected --since 24h
  smartbcc --json rejected --since 7d | jq -r '.[] | [.reason, .from] | @tsv'`,
	"smartbcc quarantine": `  smartbcc quarantine list
  smartbcc quarantine release 2`,
	"smartbcc export": `  smartbcc export --user ann@acme.example --format mbox ./backup
  smartbcc export --user ann@acme.example --format eml ./eml-files`,
	"smartbcc auth": `  smartbcc auth check message.eml --client-ip 192.0.2.10 --helo mail.acme.example --sender ann@acme.example`,
	"smartbcc postfix-config": `  smartbcc postfix-config --domain bcc.acme.example >> /tmp/postfix-lines   # then merge into master.cf and main.cf
  smartbcc --db /var/lib/smartbcc/smartbcc.db postfix-config --domain bcc.acme.example --max-size 26214400
  smartbcc postfix-config --domain bcc.acme.example --dns-server 127.0.0.1:53 --auth trust-authres=mx.acme.example`,
	"smartbcc demo": `  go run ./cmd/smartbcc demo
  smartbcc demo --keep   # and look at the store it made`,
	"smartbcc completion": `  source <(smartbcc completion bash)
  smartbcc completion zsh > "${fpath[1]}/_smartbcc"
  smartbcc completion fish > ~/.config/fish/completions/smartbcc.fish`,
	"smartbcc completion bash": `  source <(smartbcc completion bash)
  smartbcc completion bash > /etc/bash_completion.d/smartbcc`,
	"smartbcc completion zsh":        `  smartbcc completion zsh > "${fpath[1]}/_smartbcc"`,
	"smartbcc completion fish":       `  smartbcc completion fish > ~/.config/fish/completions/smartbcc.fish`,
	"smartbcc completion powershell": `  smartbcc completion powershell | Out-String | Invoke-Expression`,
	"smartbcc man": `  smartbcc man > smartbcc.1 && man ./smartbcc.1
  smartbcc man | gzip > /usr/local/share/man/man1/smartbcc.1.gz`,
	"smartbcc help": `  smartbcc help search
  smartbcc search --help`,
}

// exampleFor is the Examples: of a command that has none of its own.
func exampleFor(cmd *cobra.Command) string { return examples[cmd.CommandPath()] }
