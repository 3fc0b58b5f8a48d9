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

// Renamed into the working directory (diff ../old . from inside the new
// folder, whose files have no prefix), a quoted path loses the other
// side's folder; the folder alone becomes ".".
func TestReplacePathIntoWorkDir(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"../old/a.tf", "a.tf"},
		{"../old", "."},
		{"at ../old/m/a.tf:3, see ../old/b.tf", "at m/a.tf:3, see b.tf"},
		{"../old-mods/a.tf", "../old-mods/a.tf"},
		{"x/../old/a.tf", "x/../old/a.tf"},
	} {
		if got := replacePath(c.in, "../old", "."); got != c.want {
			t.Errorf("replacePath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Moving names between the two sides when one of them is the working
// directory: every relative name that does not climb out is under ".".
func TestSwapPrefixWorkDir(t *testing.T) {
	for _, c := range []struct{ p, from, to, want string }{
		{"a/main.tf", ".", "../old", "../old/a/main.tf"},
		{".", ".", "../old", "../old"},
		{"main.tf", ".", "/abs/old", "/abs/old/main.tf"},
		{"../old/a/main.tf", "../old", ".", "a/main.tf"},
		{"../old", "../old", ".", "."},
		{"../mods/m/main.tf", ".", "../old", "../mods/m/main.tf"},
		{"..", ".", "../old", ".."},
		{"/abs/m/main.tf", ".", "../old", "/abs/m/main.tf"},
		{"../mods/m/main.tf", "../old", ".", "../mods/m/main.tf"},
		{"new/a.tf", "new", "old", "old/a.tf"},
		{"newer/a.tf", "new", "old", "newer/a.tf"},
	} {
		if got := swapPrefix(c.p, c.from, c.to, "/"); got != c.want {
			t.Errorf("swapPrefix(%q, %q, %q) = %q, want %q", c.p, c.from, c.to, got, c.want)
		}
	}
}

// A file function's refusal names the scanned tree by its absolute path:
// renamed for the follower there, and nowhere else in the message.
func TestRenameScanRoot(t *testing.T) {
	msg := `file("../../x") ` + escapeMarker + ` (/w/new, /w/mods); sgcheck does not read it. /w/new`
	want := `file("../../x") ` + escapeMarker + ` (/w/old, /w/mods); sgcheck does not read it. /w/new`
	if got := renameScanRoot(msg, "/w/new", "/w/old"); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := renameScanRoot("no such call /w/new", "/w/new", "/w/old"); got != "no such call /w/new" {
		t.Errorf("renamed outside a refusal: %q", got)
	}
}
