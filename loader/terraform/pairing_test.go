package terraform

import "testing"

// A mirrored follower renames paths quoted in problems only where the path
// stands as one: not inside a longer name.
func TestReplacePath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"new/a.tf", "old/a.tf"},
		{"new", "old"},
		{"at new/a.tf:3", "at old/a.tf:3"},
		{"calls itself: new → new", "calls itself: old → old"},
		{"(new/m/main.tf:1)", "(old/m/main.tf:1)"},
		{`"new/x.json"`, `"old/x.json"`},
		{"renew/a.tf", "renew/a.tf"},
		{"news/a.tf", "news/a.tf"},
		{"a/new/b.tf", "a/new/b.tf"},
		{"new.tf", "new.tf"},
		{"new/a.tf and new/b.tf", "old/a.tf and old/b.tf"},
	} {
		if got := replacePath(c.in, "new", "old"); got != c.want {
			t.Errorf("replacePath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
