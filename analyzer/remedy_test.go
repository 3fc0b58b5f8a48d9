package analyzer

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
	"go4.org/netipx"
)

// The remedy fits what carries the group: an interface's timeouts can be
// lowered on instances, interfaces and launch templates; a load balancer
// closes idle connections after its own idle_timeout (Elastic Load
// Balancing, "Connection idle timeout"); a managed service's interfaces
// have no timeouts to set and no host to end sessions on.
func TestRemediationFitsTheAttachment(t *testing.T) {
	var b netipx.IPSetBuilder
	b.AddPrefix(netip.MustParsePrefix("198.51.100.0/24"))
	peers, _ := b.IPSet()
	revocation := func(att model.Attachment) tracking.Revocation {
		rv := tracking.Revocation{Attachment: att, Tracked: true,
			Region: tracking.Region{Direction: model.Ingress, Protocol: model.TCP, FromPort: 443, ToPort: 443,
				Peers: tracking.PeerSet{IPs: peers}}}
		rv.Window = tracking.WindowFor(att, model.TCP, tracking.DefaultParams)
		return rv
	}
	for _, c := range []struct {
		att       model.Attachment
		want, not []string
	}{
		{model.Attachment{Name: "aws_instance.web", Kind: "aws_instance"},
			[]string{"lower the interface's tcp_established_timeout", "end the live sessions on the host"}, []string{"idle_timeout"}},
		{model.Attachment{Name: "aws_security_group.g", Kind: "assumed", Assumed: true},
			[]string{"lower the interface's tcp_established_timeout", "on the host"}, nil},
		{model.Attachment{Name: "aws_lb.web", Kind: "aws_lb", HTTPOnly: true, IdleTimeout: 60},
			[]string{"lower the load balancer's idle_timeout"}, []string{"tcp_established_timeout", "on the host"}},
		{model.Attachment{Name: "aws_db_instance.db", Kind: "aws_db_instance"},
			[]string{"end the live sessions in the service"}, []string{"tcp_established_timeout", "on the host"}},
	} {
		got := Remediation(revocation(c.att), &model.Snapshot{})
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.att.Name, got, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: %q says %q", c.att.Name, got, n)
			}
		}
		if !strings.HasSuffix(got, "the input does not say which subnet "+c.att.Name+" is in.") {
			t.Errorf("%s: %q", c.att.Name, got)
		}
	}
}
