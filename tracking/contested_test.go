package tracking

import (
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// §8 (the AWS provider): inline rules and standalone rule resources on one
// group overwrite each other on every apply. A verdict that depends on a
// contested rule is indeterminate, never the union.
func TestContestedReverseRule(t *testing.T) {
	egress := rule("egress-all", "sg", model.Egress, model.All, 0, 65535, cidr("0.0.0.0/0"))
	egress.Contested = "sg has rules declared both inline and as standalone rule resources"
	rules := []model.Rule{rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("0.0.0.0/0")), egress}
	ac := ClassifyAttachment(model.Attachment{Name: "i"}, rules, nil, Params{})
	if v := ac.Rules[0]; v.Tracked != nil || v.Reason != ReasonIndeterminate {
		t.Errorf("ssh: tracked=%v %s %s", v.Tracked, v.Reason, v.Detail)
	}
}
