package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// The version reports carry: what `go install …@v1.2.3` recorded, else
// the development version with the commit of a checkout build.
func TestVersionFromBuildInfo(t *testing.T) {
	cases := []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, true, "1.2.3"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}, true, "0.1.0-dev+0123456789ab.dirty"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}}}, true, "0.1.0-dev+0123456789ab"},
		{&debug.BuildInfo{}, true, "0.1.0-dev"},
		{nil, false, "0.1.0-dev"},
	}
	for _, c := range cases {
		if got := versionFrom(c.info, c.ok); got != c.want {
			t.Errorf("%+v: got %q, want %q", c.info, got, c.want)
		}
	}
	out, _, code := sgcheck(t, "version")
	if code != exitClean || !strings.HasPrefix(out, "sgcheck 0.1.0-dev") {
		t.Errorf("sgcheck version: %d %q", code, out)
	}
}
