// Command smartbcc files Bcc copies of sales mail into a CRM store.
// All behaviour lives in package commands; main only maps its result to
// the process exit status.
package main

import (
	"os"

	"github.com/smartbcc/smartbcc/commands"
)

func main() {
	stop := startProfiling()
	code := commands.Main()
	stop()
	os.Exit(code)
}
