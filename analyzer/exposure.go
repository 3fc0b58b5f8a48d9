package analyzer

import (
	"math"
	"net/netip"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
	"go4.org/netipx"
)

// service is a well-known port whose exposure to the whole internet the
// checks judge: class "admin" (SGC202) or "sensitive" (databases, caches
// and infrastructure APIs, SGC203). docs/rules/SGC203.md lists them.
type service struct {
	port  int
	name  string
	class string
}

var exposureServices = []service{
	{22, "SSH", "admin"}, {23, "Telnet", "admin"}, {3389, "RDP", "admin"},
	{5985, "WinRM", "admin"}, {5986, "WinRM over HTTPS", "admin"},
	{20, "FTP data", "sensitive"}, {21, "FTP", "sensitive"}, {139, "NetBIOS", "sensitive"},
	{389, "LDAP", "sensitive"}, {445, "SMB", "sensitive"}, {636, "LDAPS", "sensitive"},
	{1433, "SQL Server", "sensitive"}, {1521, "Oracle", "sensitive"}, {2049, "NFS", "sensitive"},
	{2181, "ZooKeeper", "sensitive"}, {2375, "Docker API", "sensitive"}, {2376, "Docker API (TLS)", "sensitive"},
	{2379, "etcd", "sensitive"}, {3306, "MySQL", "sensitive"}, {5432, "PostgreSQL", "sensitive"},
	{5439, "Redshift", "sensitive"}, {5601, "Kibana", "sensitive"}, {6379, "Redis", "sensitive"},
	{6443, "Kubernetes API", "sensitive"}, {9042, "Cassandra", "sensitive"}, {9092, "Kafka", "sensitive"},
	{9200, "Elasticsearch", "sensitive"}, {9300, "Elasticsearch transport", "sensitive"},
	{10250, "Kubelet API", "sensitive"}, {11211, "Memcached", "sensitive"}, {27017, "MongoDB", "sensitive"},
}

// ExposureDoc is a well-known TCP port that the ingress rules of an
// attachment, together, admit from every address of a family: one rule
// open to 0.0.0.0/0, or several whose peers add up to it (0.0.0.0/1 and
// 128.0.0.0/1). Rules names them in the order of the attachment's rules.
type ExposureDoc struct {
	Port     int       `json:"port"`
	Service  string    `json:"service"`
	Class    string    `json:"class"`
	Family   string    `json:"family"`
	Rules    []string  `json:"rules"`
	Group    string    `json:"group"`
	Peers    []string  `json:"peers"`
	Location *Location `json:"location,omitempty"`
	Related  []Related `json:"related,omitempty"`
	// Contested says why a contributing rule may not be live.
	Contested string `json:"contested,omitempty"`
}

var wholeFamily = map[string]netip.Prefix{"ipv4": netip.MustParsePrefix("0.0.0.0/0"), "ipv6": netip.MustParsePrefix("::/0")}

// resolverEndpoint is the kind of a Route 53 Resolver endpoint's attachment.
const resolverEndpoint = "aws_route53_resolver_endpoint"

// exposures works out, for each well-known port, whether the attachment's
// determined ingress rules admit it from a whole address family. Ports an
// open all-ports rule admits are left to SGC201.
func exposures(ac tracking.AttachmentClass) []ExposureDoc {
	if ac.Attachment.Kind == resolverEndpoint {
		// AWS asks for TCP and UDP open to all addresses on these
		// (lib.world_open_by_design)
		return nil
	}
	if ac.Attachment.HTTPOnly {
		// an Application Load Balancer: a port it admits reaches one of its
		// HTTP(S) listeners or nothing, never the service the port is
		// known for (lib.web_listeners_only)
		return nil
	}
	var cands []model.Rule
	for _, rc := range ac.Rules {
		r := rc.Rule
		if r.Direction == model.Ingress && r.Peer.Kind == model.PeerCIDR && len(r.Unknown) == 0 &&
			(r.Protocol == model.TCP || r.Protocol == model.All) {
			if r.Peer.IsOpen() && (r.Protocol == model.All || (r.FromPort <= 0 && r.ToPort >= 65535)) {
				return nil // SGC201: open on every port
			}
			cands = append(cands, r)
		}
	}
	var out []ExposureDoc
	allPorts := map[string]bool{}
	// every TCP port from the world through rules that only together cover
	// it (a single open rule is SGC201's literal case)
	for _, fam := range []string{"ipv4", "ipv6"} {
		var b netipx.IPSetBuilder
		var rules []model.Rule
		for _, r := range cands {
			if r.Peer.Family() == fam && (r.Protocol == model.All || (r.FromPort <= 0 && r.ToPort >= 65535)) {
				b.AddPrefix(r.Peer.Prefix)
				rules = append(rules, r)
			}
		}
		if set, _ := b.IPSet(); len(rules) > 1 && set.ContainsPrefix(wholeFamily[fam]) {
			out = append(out, exposureOf(service{0, "every port", "all-ports"}, fam, rules))
			allPorts[fam] = true // its ports are not reported one by one
		}
	}
	for _, s := range exposureServices {
		for _, fam := range []string{"ipv4", "ipv6"} {
			if allPorts[fam] {
				continue
			}
			var rules []model.Rule
			size := 0.0 // addresses counted with overlaps: the union is no larger
			for _, r := range cands {
				if r.Peer.Family() != fam || (r.Protocol == model.TCP && (s.port < r.FromPort || s.port > r.ToPort)) {
					continue
				}
				rules = append(rules, r)
				size += math.Exp2(float64(r.Peer.Prefix.Addr().BitLen() - r.Peer.Prefix.Bits()))
			}
			if len(rules) == 0 || size < math.Exp2(float64(wholeFamily[fam].Addr().BitLen())) {
				continue
			}
			var b netipx.IPSetBuilder
			for _, r := range rules {
				b.AddPrefix(r.Peer.Prefix)
			}
			set, _ := b.IPSet()
			if !set.ContainsPrefix(wholeFamily[fam]) {
				continue
			}
			// a rule open on its own is the cause; the others add nothing
			var open []model.Rule
			for _, r := range rules {
				if r.Peer.IsOpen() {
					open = append(open, r)
				}
			}
			if len(open) > 0 {
				rules = open
			}
			out = append(out, exposureOf(s, fam, rules))
		}
	}
	return out
}

func (in interner) exposure(x *ExposureDoc) *ast.Term {
	b := &objBuilder{in: in}
	b.put("port", ast.IntNumberTerm(x.Port))
	b.str("service", x.Service)
	b.str("class", x.Class)
	b.str("family", x.Family)
	b.strs("rules", x.Rules, false)
	b.str("group", x.Group)
	b.strs("peers", x.Peers, false)
	b.strOmit("contested", x.Contested)
	b.location("location", x.Location, true)
	b.related(x.Related)
	return b.term()
}

// exposureOf describes the exposure of service s to family fam by rules.
func exposureOf(s service, fam string, rules []model.Rule) ExposureDoc {
	x := ExposureDoc{Port: s.port, Service: s.name, Class: s.class, Family: fam, Group: rules[0].Group,
		Location: LocationOf(rules[0].Source)}
	seen := map[string]bool{}
	for i, r := range rules {
		if seen[r.Name] {
			continue
		}
		seen[r.Name] = true
		x.Rules = append(x.Rules, r.Name)
		if x.Contested == "" {
			x.Contested = r.Contested
		}
		if i > 0 {
			if l := LocationOf(r.Source); l != nil {
				x.Related = append(x.Related, Related{Message: r.Name, Location: l})
			}
		}
	}
	peers := map[string]bool{}
	for _, r := range rules {
		if p := r.Peer.Prefix.String(); !peers[p] {
			peers[p] = true
			x.Peers = append(x.Peers, p)
		}
	}
	return x
}
