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
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Sprintf("smartbcc (unknown version: no build information) %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	return versionOf(info)
}

func versionOf(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	var vcs []string
	if rev := settings["vcs.revision"]; rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		vcs = append(vcs, "revision "+rev)
		if t := settings["vcs.time"]; t != "" {
			vcs = append(vcs, t)
		}
		if settings["vcs.modified"] == "true" {
			vcs = append(vcs, "modified")
		}
	} else if !strings.HasPrefix(v, "v") || v == "(devel)" {
		vcs = append(vcs, "no VCS information")
	}
	goVersion := info.GoVersion
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	s := "smartbcc " + v
	if len(vcs) > 0 {
		s += " (" + strings.Join(vcs, ", ") + ")"
	}
	return s + " " + goVersion + " " + runtime.GOOS + "/" + runtime.GOARCH
}
