package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sgcheck/sgcheck/analyzer"
	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

// Explanation is what `sgcheck explain` prints.
type Explanation struct {
	Attachments []analyzer.AttachmentDoc
	NACLs       []analyzer.NACLDoc
	NotCreated  []analyzer.AbsentDoc
	Errors      []model.Diagnostic
	Params      analyzer.ParamsDoc
	Unknowns    int
	Changes     *analyzer.ChangesDoc
}

type explainJSON struct {
	Version     int                      `json:"version"`
	Attachments []analyzer.AttachmentDoc `json:"attachments"`
	NACLs       []analyzer.NACLDoc       `json:"nacls"`
	NotCreated  []analyzer.AbsentDoc     `json:"not_created"`
	Params      analyzer.ParamsDoc       `json:"params"`
	Unknowns    int                      `json:"unknowns"`
	Changes     *analyzer.ChangesDoc     `json:"changes,omitempty"`
	Errors      []model.Diagnostic       `json:"errors"`
}

// ExplainJSON prints the classification document of contract v1.
func ExplainJSON(w io.Writer, e Explanation) error {
	doc := explainJSON{Version: ContractVersion, Attachments: e.Attachments, NACLs: e.NACLs, NotCreated: e.NotCreated, Params: e.Params,
		Unknowns: e.Unknowns, Changes: e.Changes, Errors: e.Errors}
	if doc.Attachments == nil {
		doc.Attachments = []analyzer.AttachmentDoc{}
	}
	if doc.Errors == nil {
		doc.Errors = []model.Diagnostic{}
	}
	if doc.NACLs == nil {
		doc.NACLs = []analyzer.NACLDoc{}
	}
	if doc.NotCreated == nil {
		doc.NotCreated = []analyzer.AbsentDoc{}
	}
	return encode(w, doc)
}

// ExplainText prints, per attachment, each rule, whether its flows are
// tracked, why, and what a revocation would do.
func ExplainText(w io.Writer, e Explanation) error {
	b := bufio.NewWriter(w)
	for _, d := range e.Errors {
		fmt.Fprintf(b, "error: %s\n", d)
	}
	for i, a := range e.Attachments {
		if i > 0 || len(e.Errors) > 0 {
			b.WriteString("\n")
		}
		head := a.Name
		if a.Kind == "symbolic-group" {
			head += " (group not declared in the input: the rules that name it, analysed as attached alone)"
		} else if a.Assumed {
			head += " (no attachment declared: analysed as attached alone)"
		} else {
			head += " (" + a.Kind + ")"
		}
		if a.Location != nil {
			head += fmt.Sprintf("  %s:%d", a.Location.File, a.Location.StartLine)
		}
		fmt.Fprintln(b, head)
		fmt.Fprintf(b, "  groups: %s\n", strings.Join(a.Groups, ", "))
		for _, m := range a.MissingGroups {
			fmt.Fprintf(b, "  not in the input: %s\n", m)
		}
		if a.AutoTracked != "" {
			fmt.Fprintf(b, "  automatically tracked: %s", a.AutoTracked)
			if len(a.AutoTrackedPorts) > 0 {
				ports := make([]string, len(a.AutoTrackedPorts))
				for i, p := range a.AutoTrackedPorts {
					ports[i] = strconv.Itoa(p)
				}
				fmt.Fprintf(b, " (inbound TCP and UDP to port %s, which it forwards)", strings.Join(ports, ", "))
			}
			fmt.Fprintln(b)
		}
		if a.RouteTable != "" {
			fmt.Fprintf(b, "  route table: %s (%s)\n", a.RouteTable, a.RouteTableReason)
		} else if a.Subnet != "" && a.RouteTableReason != "" {
			fmt.Fprintf(b, "  route table: not determined (%s)\n", a.RouteTableReason)
		}
		switch {
		case a.NACL != "":
			fmt.Fprintf(b, "  network ACL: %s (%s)\n", a.NACL, a.NACLReason)
		case a.NACLReason != "":
			fmt.Fprintf(b, "  network ACL: not determined (%s)\n", a.NACLReason)
		}
		switch {
		case len(a.Rules) == 0 && len(a.MissingGroups) > 0:
			fmt.Fprintf(b, "  no rules in the input: what the groups not in the input admit is not known\n")
		case len(a.Rules) == 0:
			fmt.Fprintf(b, "  no rules: all traffic is denied\n")
		}
		for _, r := range a.Rules {
			explainRule(b, r)
		}
	}
	for _, n := range e.NACLs {
		explainNACL(b, n)
	}
	if len(e.NotCreated) > 0 {
		fmt.Fprintf(b, "\nnot created\n")
	}
	for _, a := range e.NotCreated {
		loc := ""
		if a.Location != nil {
			loc = fmt.Sprintf("  %s:%d", a.Location.File, a.Location.StartLine)
		}
		fmt.Fprintf(b, "  %s: %s%s\n", a.Address, a.Why, loc)
	}
	if e.Changes != nil {
		explainChanges(b, e.Changes)
	}
	fmt.Fprintf(b, "\nmodel parameter icmp-idle-timeout = %d s (AWS does not document it)\n", e.Params.ICMPIdleTimeout)
	if e.Unknowns > 0 {
		fmt.Fprintf(b, "%s not determined by the input\n", plural(e.Unknowns, "value"))
	}
	return b.Flush()
}

func explainRule(b *bufio.Writer, r analyzer.RuleDoc) {
	dir := "from"
	if r.Direction == "egress" {
		dir = "to"
	}
	fmt.Fprintf(b, "  %s\n", r.Rule)
	loc := ""
	if r.Location != nil {
		loc = fmt.Sprintf("  %s:%d", r.Location.File, r.Location.StartLine)
	}
	fmt.Fprintf(b, "    %s %s %s %s%s\n", r.Direction, ruleWhat(r), dir, r.Peer, loc)
	fmt.Fprintf(b, "    %s\n", verdictText(r))
	for _, p := range r.Parts {
		status := "indeterminate"
		if p.Tracked != nil && *p.Tracked {
			status = "tracked"
		} else if p.Tracked != nil {
			status = "untracked"
		}
		line := fmt.Sprintf("      %s: %s (%s)", p.Protocol, status, p.Reason)
		if p.ReverseRule != "" {
			line += ", reverse rule " + p.ReverseRule
		}
		fmt.Fprintln(b, line)
	}
	if r.NACL != "" {
		switch {
		case r.NACLRequestDenied != "":
			fmt.Fprintf(b, "    network ACL %s drops these requests (for %s): %s\n", r.NACL, r.NACLSample, r.NACLRequestDenied)
		case len(r.NACLBlockedResponsePorts) > 0:
			fmt.Fprintf(b, "    network ACL %s lets the requests through but drops responses to ports %v\n", r.NACL, r.NACLBlockedResponsePorts)
		default:
			fmt.Fprintf(b, "    network ACL %s lets requests and responses through\n", r.NACL)
		}
	}
	for _, u := range r.Unknown {
		fmt.Fprintf(b, "    unknown: %s\n", u)
	}
	if r.Contested != "" {
		fmt.Fprintf(b, "    contested: %s\n", r.Contested)
	}
	for _, p := range r.Routed {
		fmt.Fprintf(b, "    automatically tracked (§3): peers %s\n", p)
	}
	if r.RouteAssumption != "" {
		fmt.Fprintf(b, "    assumes: %s\n", r.RouteAssumption)
	}
}

func ruleWhat(r analyzer.RuleDoc) string {
	switch {
	case r.ICMPType != nil:
		if *r.ICMPType == -1 {
			return r.Protocol + " all types"
		}
		if *r.ICMPCode == -1 {
			return fmt.Sprintf("%s type %d", r.Protocol, *r.ICMPType)
		}
		return fmt.Sprintf("%s type %d code %d", r.Protocol, *r.ICMPType, *r.ICMPCode)
	case r.Protocol == "tcp" || r.Protocol == "udp":
		if *r.FromPort == *r.ToPort {
			return fmt.Sprintf("%s %d", r.Protocol, *r.FromPort)
		}
		return fmt.Sprintf("%s %d-%d", r.Protocol, *r.FromPort, *r.ToPort)
	case r.Protocol == "all":
		return "all traffic"
	}
	return "protocol " + r.Protocol
}

func verdictText(r analyzer.RuleDoc) string {
	switch {
	case r.Tracked == nil:
		s := "indeterminate: the input does not determine whether these flows are tracked"
		if r.Detail != "" {
			s += " (" + r.Detail + ")"
		}
		return s
	case !*r.Tracked && r.Reason == tracking.ReasonCovered:
		return fmt.Sprintf("untracked (%s): %s", r.Reason, r.Detail)
	case !*r.Tracked:
		return fmt.Sprintf("untracked (%s, reverse rule %s): revoking this rule cuts its flows at once", r.Reason, r.ReverseRule)
	}
	s := fmt.Sprintf("tracked (%s)", r.Reason)
	if r.Detail != "" {
		s += ": " + r.Detail
	}
	if r.TimeoutSeconds != nil {
		note := ""
		if r.TimeoutNote != "" {
			note = "; " + r.TimeoutNote
		}
		upTo := ""
		if r.TimeoutUpTo {
			upTo = "up to "
		}
		s += fmt.Sprintf("; after a revocation, live flows survive until idle for %s%s (%d s, %s %s%s)",
			upTo, analyzer.HumanDuration(*r.TimeoutSeconds), *r.TimeoutSeconds, r.TimeoutSource, r.TimeoutSetting, note)
	}
	return s
}

func explainChanges(b *bufio.Writer, c *analyzer.ChangesDoc) {
	fmt.Fprintf(b, "\nchanges\n")
	if len(c.Revocations)+len(c.Flips)+len(c.NACLChanges) == 0 {
		fmt.Fprintf(b, "  nothing admitted before is revoked\n")
	}
	for _, rv := range c.Revocations {
		fmt.Fprintf(b, "  %s: %s revokes %s %s %s\n", rv.Attachment, rv.Rule, rv.What, peerWord(rv.Direction), rv.Peer)
		if rv.Tracked {
			fmt.Fprintf(b, "    tracked (%s): live flows survive until idle for %s (%d s, %s %s)\n",
				rv.Reason, rv.WindowHuman, *rv.WindowSeconds, rv.WindowSource, rv.WindowSetting)
		} else {
			fmt.Fprintf(b, "    untracked (reverse rule %s): live flows are cut at once\n", rv.ReverseRule)
		}
	}
	for _, f := range c.Flips {
		fmt.Fprintf(b, "  %s: %s %s flows become %s (%s %s)\n", f.Attachment, f.Rule, f.Protocol, f.After, f.CauseRule, f.CauseKind)
	}
	for _, n := range c.NACLChanges {
		fmt.Fprintf(b, "  %s entry %d %s: takes effect at once for every flow (NACLs are stateless)\n", n.NACL, n.Number, n.Kind)
	}
	for _, s := range c.Incomplete {
		fmt.Fprintf(b, "  incomplete: %s\n", s)
	}
}

func peerWord(direction string) string {
	if direction == "egress" {
		return "to"
	}
	return "from"
}

// explainNACL prints a network ACL with its entries in evaluation order:
// per direction, by rule number, the first match deciding; "*" is the final
// deny every NACL ends with.
func explainNACL(b *bufio.Writer, n analyzer.NACLDoc) {
	b.WriteString("\n")
	head := "network ACL " + n.Name
	switch {
	case n.Implicit:
		head += " (not declared: AWS's default network ACL of " + n.VPC + ", allowing all traffic)"
	case n.Default && n.VPC != "":
		head += " (default network ACL of " + n.VPC + ")"
	case n.Default:
		head += " (a default network ACL)"
	}
	if n.Location != nil && !n.Implicit {
		head += fmt.Sprintf("  %s:%d", n.Location.File, n.Location.StartLine)
	}
	fmt.Fprintln(b, head)
	if len(n.Subnets) > 0 {
		fmt.Fprintf(b, "  subnets: %s\n", strings.Join(n.Subnets, ", "))
	} else if !n.Default {
		fmt.Fprintf(b, "  subnets: none associated in the input\n")
	}
	for _, u := range n.Unknown {
		fmt.Fprintf(b, "  entry not determined (left out): %s: %s\n", u.Address, u.Why)
	}
	for _, dir := range []string{"ingress", "egress"} {
		fmt.Fprintf(b, "  %s\n", dir)
		for _, e := range n.Entries {
			if e.Direction != dir {
				continue
			}
			line := fmt.Sprintf("    %-5d %-5s %s %s %s", e.Number, e.Action, entryWhat(e), peerWord(dir), e.CIDR)
			if e.ShadowedBy != nil {
				line += fmt.Sprintf(" (never applies: entry %d %ss all of it first)", *e.ShadowedBy, e.ShadowedByAction)
			}
			if e.Location != nil && !n.Implicit {
				line += fmt.Sprintf("  %s:%d", e.Location.File, e.Location.StartLine)
			}
			fmt.Fprintln(b, line)
		}
		fmt.Fprintf(b, "    %-5s %-5s all traffic (every network ACL ends with this entry)\n", "*", "deny")
	}
}

func entryWhat(e analyzer.EntryDoc) string {
	switch {
	case e.FromPort != nil && e.ToPort != nil:
		if *e.FromPort == *e.ToPort {
			return fmt.Sprintf("%s %d", e.Protocol, *e.FromPort)
		}
		return fmt.Sprintf("%s %d-%d", e.Protocol, *e.FromPort, *e.ToPort)
	case e.ICMPType != nil && *e.ICMPType != -1:
		return fmt.Sprintf("%s type %d", e.Protocol, *e.ICMPType)
	case e.Protocol == "all":
		return "all traffic"
	}
	return e.Protocol
}
