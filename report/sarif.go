package report

import (
	"io"
	"path"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/sgcheck/sgcheck/analyzer"
	"github.com/sgcheck/sgcheck/docs"
)

const informationURI = "https://github.com/sgcheck/sgcheck"

// level maps a severity to a SARIF level.
func level(sev string) string {
	switch strings.ToUpper(sev) {
	case "CRITICAL", "HIGH":
		return "error"
	case "MEDIUM":
		return "warning"
	}
	return "note"
}

// securitySeverity is the score GitHub code scanning sorts security alerts by.
func securitySeverity(sev string) string {
	switch strings.ToUpper(sev) {
	case "CRITICAL":
		return "9.5"
	case "HIGH":
		return "8.0"
	case "MEDIUM":
		return "5.5"
	case "LOW":
		return "3.0"
	}
	return "1.0"
}

// BuildSARIF makes the SARIF 2.1.0 log of a run.
func BuildSARIF(run Run) *sarif.Report {
	rep := sarif.NewReport()
	driver := sarif.NewToolComponent().WithName("sgcheck").WithInformationURI(informationURI).
		WithSemanticVersion(strings.TrimPrefix(run.ToolVersion, "v"))
	for _, p := range run.Policies {
		rule := sarif.NewRule(p.ID).WithName(ruleName(p.Title)).WithDescription(p.Title).
			WithFullDescription(sarif.NewMultiformatMessageString().WithText(p.Description)).
			WithMarkdownHelp(help(p)).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(level(p.Severity))).
			WithProperties(sarif.NewPropertyBag().
				Add("security-severity", securitySeverity(p.Severity)).
				Add("tags", []string{"security", "aws", "network"}))
		switch {
		case docs.RulePage(p.ID) != "":
			rule.WithHelpURI(informationURI + "/blob/main/docs/rules/" + p.ID + ".md")
		case p.HelpURI != "":
			rule.WithHelpURI(p.HelpURI)
		}
		driver.AddRule(rule)
	}
	srun := sarif.NewRun().WithTool(sarif.NewTool().WithDriver(driver))
	srun.WithResults([]*sarif.Result{})
	results := make([]sarifResult, 0, len(run.Findings)+len(run.Suppressed))
	for _, f := range run.Findings {
		results = append(results, sarifResult{Finding: f})
	}
	for _, s := range run.Suppressed {
		results = append(results, sarifResult{Finding: s.Finding, suppression: &s.Suppression})
	}
	for _, r := range results {
		f := r.Finding
		res := sarif.NewRuleResult(f.ID).WithLevel(level(f.Severity)).
			WithMessage(resultMessage(f)).
			WithPartialFingerprints(map[string]string{"sgcheck/v1": f.Fingerprint})
		if idx := ruleIndex(run.Policies, f.ID); idx >= 0 {
			res.WithRuleIndex(idx)
		}
		if loc := sarifLocation(rebase(f.Location, run.RepoPrefix), ""); loc != nil {
			res.AddLocation(loc)
		}
		for i, r := range f.Related {
			if loc := sarifLocation(rebase(r.Location, run.RepoPrefix), r.Message); loc != nil {
				loc.WithID(i + 1)
				res.AddRelatedLocation(loc)
			}
		}
		if f.Proof != nil && len(f.Proof.Events) > 0 {
			res.AddCodeFlow(codeFlow(f, run.RepoPrefix))
		}
		props := sarif.NewPropertyBag().Add("resource", f.Resource)
		for k, v := range f.Facts {
			props.Add(k, v)
		}
		if f.Remediation != "" {
			props.Add("remediation", f.Remediation)
		}
		res.WithProperties(props)
		if r.suppression != nil {
			sup := sarif.NewSuppression().WithKind("inSource").WithJustification(r.suppression.Reason)
			if loc := sarifLocation(rebase(r.suppression.Location, run.RepoPrefix), ""); loc != nil {
				sup.WithLocation(loc)
			}
			res.AddSuppression(sup)
		}
		srun.AddResult(res)
	}
	// Input errors, and notes (what a change cuts at once, and what that
	// assumes), reach code scanning as tool execution notifications.
	if len(run.Notes)+len(run.Errors)+len(run.Internal) > 0 {
		inv := sarif.NewInvocation().WithExecutionSuccessful(len(run.Errors)+len(run.Internal) == 0)
		for _, e := range run.Errors {
			n := sarif.NewNotification().WithLevel("error").WithMessage(sarif.NewTextMessage(e.Message))
			if e.File != "" {
				l := &analyzer.Location{File: e.File, StartLine: max(e.Line, 1), EndLine: max(e.Line, 1)}
				n.AddLocation(sarifLocation(rebase(l, run.RepoPrefix), ""))
			}
			inv.AddToolExecutionNotification(n)
		}
		for _, e := range run.Internal {
			inv.AddToolExecutionNotification(sarif.NewNotification().WithLevel("error").
				WithMessage(sarif.NewTextMessage("internal error: " + e)))
		}
		for _, n := range run.Notes {
			inv.AddToolExecutionNotification(sarif.NewNotification().WithLevel("note").
				WithMessage(sarif.NewTextMessage(strings.TrimPrefix(n, "note: "))))
		}
		srun.WithInvocations([]*sarif.Invocation{inv})
	}
	if run.AutomationID != "" {
		srun.WithAutomationDetails(sarif.NewRunAutomationDetails().WithID(run.AutomationID))
	}
	rep.AddRun(srun)
	return rep
}

// sarifResult is a finding, and its suppression where a comment suppressed
// it: SARIF carries suppressed results so that code scanning shows them as
// dismissed in source.
type sarifResult struct {
	analyzer.Finding
	suppression *analyzer.Suppression
}

// codeFlow turns a proof timeline into a thread flow whose locations point
// at the rules involved.
func codeFlow(f analyzer.Finding, prefix string) *sarif.CodeFlow {
	tf := sarif.NewThreadFlow()
	for i, ev := range f.Proof.Events {
		text := "t=" + Clock(ev.T) + " " + proofStep(ev)
		where := ev.Location
		if where == nil {
			where = f.Location
		}
		loc := sarifLocation(rebase(where, prefix), text)
		if loc == nil {
			loc = sarif.NewLocation().WithMessage(sarif.NewTextMessage(text))
		}
		tf.AddLocation(sarif.NewThreadFlowLocation().WithLocation(loc).WithExecutionOrder(i))
	}
	return sarif.NewCodeFlow().WithMessage(sarif.NewTextMessage("packet timeline replayed in the sgcheck simulator" + proofScope(f))).
		AddThreadFlow(tf)
}

// rebase makes a working-directory-relative path relative to the
// repository root.
// rebasePath makes a path relative to the working directory relative to
// the repository root.
func rebasePath(file, prefix string) string {
	if prefix == "" || file == "" || path.IsAbs(file) || strings.HasPrefix(file, "../") {
		return file
	}
	return path.Clean(prefix + file)
}

func rebase(l *analyzer.Location, prefix string) *analyzer.Location {
	if l == nil || prefix == "" || path.IsAbs(l.File) || strings.HasPrefix(l.File, "../") {
		return l
	}
	c := *l
	c.File = path.Clean(prefix + c.File)
	return &c
}

func sarifLocation(l *analyzer.Location, message string) *sarif.Location {
	if l == nil {
		return nil
	}
	loc := sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
		WithArtifactLocation(sarif.NewSimpleArtifactLocation(l.File)).
		WithRegion(sarif.NewSimpleRegion(l.StartLine, l.EndLine)))
	if message != "" {
		loc.WithMessage(sarif.NewTextMessage(message))
	}
	return loc
}

func ruleIndex(ps []analyzer.PolicyMeta, id string) int {
	for i, p := range ps {
		if p.ID == id {
			return i
		}
	}
	return -1
}

// ruleName makes a PascalCase name from a title, as SARIF viewers expect.
func ruleName(title string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(title, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// help is the rule's page for built-in checks (docs/rules/ID.md), else
// its title, description and reference.
func help(p analyzer.PolicyMeta) string {
	if page := docs.RulePage(p.ID); page != "" {
		return page
	}
	s := "**" + p.ID + ": " + p.Title + "**\n\n" + p.Description
	if p.HelpURI != "" {
		s += "\n\nSee " + p.HelpURI
	}
	return s
}

// resultMessage is what code scanning shows on the alert: the finding,
// then the remedy (the network ACL entry that cuts the flows, the window),
// which the alert page does not show from the properties.
func resultMessage(f analyzer.Finding) *sarif.Message {
	text, md := f.Message, mdHTML(f.Message)
	if f.Remediation != "" {
		text += "\n\nFix: " + f.Remediation
		md += "\n\n**Fix:** " + mdFix(f.Remediation)
	}
	return sarif.NewMessage().WithText(text).WithMarkdown(md)
}

// mdFix keeps code in a remedy (an indented block after its first line)
// as a fenced block.
func mdFix(s string) string {
	first, rest, ok := strings.Cut(s, "\n")
	if !ok || strings.TrimSpace(rest) == "" {
		return mdHTML(first)
	}
	return mdHTML(first) + "\n\n```hcl\n" + strings.TrimRight(rest, "\n") + "\n```"
}

// SARIF prints the SARIF 2.1.0 log.
func SARIF(w io.Writer, run Run) error {
	return BuildSARIF(run).PrettyWrite(w)
}
