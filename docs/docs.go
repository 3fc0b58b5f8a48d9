// Package docs embeds the user documentation the binary serves: each
// check's page (docs/rules/ID.md), which SARIF carries as the rule's help.
package docs

import "embed"

// Rules holds rules/ID.md for every built-in check.
//
//go:embed rules/*.md
var Rules embed.FS

// RulePage returns the page of check id, or "" when it has none (user
// policies).
func RulePage(id string) string {
	b, err := Rules.ReadFile("rules/" + id + ".md")
	if err != nil {
		return ""
	}
	return string(b)
}
