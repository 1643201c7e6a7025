package commands

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionFromBuildInfo: --version names the module version and the
// VCS revision the toolchain recorded, and says when there is none.
func TestVersionFromBuildInfo(t *testing.T) {
	for _, tc := range []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"go install module@version", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.0"}},
			"smartbcc v1.2.0 go1.26.0 "},
		{"a build in a clone", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "4e1c2b9a7d3f00112233445566778899aabbccdd"}, {Key: "vcs.time", Value: "2026-11-29T12:00:00Z"}, {Key: "vcs.modified", Value: "true"}}},
			"smartbcc (devel) (revision 4e1c2b9a7d3f, 2026-11-29T12:00:00Z, modified) go1.26.0 "},
		{"a pseudo-version with its revision", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.0.0-20261129120000-4e1c2b9a7d3f"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "4e1c2b9a7d3f00112233445566778899aabbccdd"}}},
			"smartbcc v0.0.0-20261129120000-4e1c2b9a7d3f (revision 4e1c2b9a7d3f) go1.26.0 "},
		{"no VCS information", debug.BuildInfo{GoVersion: "go1.26.0"},
			"smartbcc (devel) (no VCS information) go1.26.0 "},
	} {
		if got := versionOf(&tc.info); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: %q, want it to start with %q", tc.name, got, tc.want)
		}
	}
}

// TestVersionRecord: --json --version holds the same facts in fields, the
// whole revision and null where the build recorded none.
func TestVersionRecord(t *testing.T) {
	r := versionRecordOf(&debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "4e1c2b9a7d3f00112233445566778899aabbccdd"}, {Key: "vcs.time", Value: "2026-11-29T12:00:00Z"}, {Key: "vcs.modified", Value: "true"}}})
	if r.Version != "(devel)" || r.Revision == nil || *r.Revision != "4e1c2b9a7d3f00112233445566778899aabbccdd" ||
		r.Time == nil || *r.Time != "2026-11-29T12:00:00Z" || !r.Modified || r.Go != "go1.26.0" || r.Platform == "" {
		t.Errorf("a build in a clone: %+v", r)
	}
	r = versionRecordOf(&debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.0"}})
	if r.Version != "v1.2.0" || r.Revision != nil || r.Time != nil || r.Modified {
		t.Errorf("go install module@version: %+v", r)
	}
}
