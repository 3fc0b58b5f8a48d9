package report

import (
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/analyzer"
)

// An attachment without rules denies all traffic only when every group on
// it is in the input; with a group the input does not hold (the cluster
// group EKS creates, a variable), what it admits is not known.
func TestExplainAttachmentWithoutRules(t *testing.T) {
	for _, tc := range []struct {
		missing []string
		want    string
	}{
		{nil, "no rules: all traffic is denied"},
		{[]string{"the cluster security group that EKS creates for aws_eks_cluster.k"}, "no rules in the input: what the groups not in the input admit is not known"},
	} {
		var b strings.Builder
		e := Explanation{Attachments: []analyzer.AttachmentDoc{{Name: "aws_eks_cluster.k", Kind: "aws_eks_cluster",
			Groups: []string{"aws_security_group.empty"}, MissingGroups: tc.missing}}}
		if err := ExplainText(&b, e); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("missing %v:\n%s\nwant %q", tc.missing, b.String(), tc.want)
		}
	}
}
