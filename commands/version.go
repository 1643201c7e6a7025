package commands

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is what --version prints: the module version and the VCS
// revision the binary was built from, as the Go toolchain records them
// (go install module@version records the version, a build in a clone the
// revision and whether the tree was modified). A build without VCS
// information (go build -buildvcs=false, or outside a repository) says so.
//
//	smartbcc v1.2.0 (revision 4e1c2b9a7d3f, 2026-11-29T12:00:00Z) go1.26.8 linux/amd64
//	smartbcc (devel) (revision 4e1c2b9a7d3f, 2026-11-29T12:00:00Z, modified) go1.26.8 linux/amd64
//	smartbcc (devel) (no VCS information) go1.26.8 linux/amd64
func version() string {
	return versionInfo().String()
}

// versionRecord is what --json --version prints: the same facts as the
// text, each in its field, for the scripts that take stock of hosts.
// Revision is the whole VCS revision (the text shows 12 digits of it).
type versionRecord struct {
	Version  string  `json:"version"`  // v1.2.0, or (devel)
	Revision *string `json:"revision"` // null without VCS information
	Time     *string `json:"time"`     // the revision's commit time, RFC 3339
	Modified bool    `json:"modified"` // built from a tree with changes
	Go       string  `json:"go"`
	Platform string  `json:"platform"` // GOOS/GOARCH
}

// unknownVersion is the version of a binary without build information.
const unknownVersion = "(unknown version: no build information)"

func versionInfo() versionRecord {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return versionRecord{Version: unknownVersion, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	}
	return versionRecordOf(info)
}

func versionOf(info *debug.BuildInfo) string { return versionRecordOf(info).String() }

func versionRecordOf(info *debug.BuildInfo) versionRecord {
	r := versionRecord{Version: info.Main.Version, Go: info.GoVersion, Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if r.Version == "" {
		r.Version = "(devel)"
	}
	if r.Go == "" {
		r.Go = runtime.Version()
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		r.Revision = &rev
		if t := settings["vcs.time"]; t != "" {
			r.Time = &t
		}
		r.Modified = settings["vcs.modified"] == "true"
	}
	return r
}

func (r versionRecord) String() string {
	var vcs []string
	if r.Revision != nil {
		rev := *r.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		vcs = append(vcs, "revision "+rev)
		if r.Time != nil {
			vcs = append(vcs, *r.Time)
		}
		if r.Modified {
			vcs = append(vcs, "modified")
		}
	} else if !strings.HasPrefix(r.Version, "v") && r.Version != unknownVersion {
		vcs = append(vcs, "no VCS information")
	}
	s := "smartbcc " + r.Version
	if len(vcs) > 0 {
		s += " (" + strings.Join(vcs, ", ") + ")"
	}
	return s + " " + r.Go + " " + r.Platform
}

// versionSchema is the schema of --json --version, which is a flag of
// the root and no command (so not in jsonSchemas).
const versionSchema = "version"

// printVersion prints --version: a line of text, or with --json the
// record.
func (a *App) printVersion() error {
	r := versionInfo()
	if !a.JSON {
		_, err := fmt.Fprintln(a.IO.Out, r.String())
		return err
	}
	a.command, a.schema = "--version", versionSchema
	return a.printJSON(r)
}
