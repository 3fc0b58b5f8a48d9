package terraform

import (
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/sgcheck/sgcheck/model"
	"github.com/zclconf/go-cty/cty"
)

// moduleExtractor turns one module's resources into model elements.
type moduleExtractor struct {
	m      *module
	ev     *evaluator
	prefix string // qualifies addresses when several roots are loaded
	snap   *model.Snapshot
	diags  []model.Diagnostic
	// rules holds the module instance's rules as they are read, in
	// pieces, moved into snap.Rules at the end: one growing slice of every
	// rule would be copied again and again while the heap is at its largest
	rules [][]model.Rule
	// cross-resource links resolved once the module is read
	aclRules   map[string][]model.ACLEntry // network_acl_id → entries
	aclUnknown map[string][]model.Absent   // network_acl_id → entries not determined
	aclAssocs  map[string][]aclAssoc       // network_acl_id → subnets
	sgAttach   map[string][]string         // interface → groups
	// symbolicENIs holds the interfaces that group attachments name by a
	// reference the configuration does not resolve (a data source, a
	// variable), in the order first named
	symbolicENIs []*symbolicENI
	naclByAddr   map[string]int // index into snap.NACLs
	// conditional is set while a conditional instance is read: an error
	// in it is not an input error, since Terraform may never create it.
	conditional bool
	// ruleBearing is set while a group, rule or NACL resource is read:
	// errors evaluating other resources (routes, attachments) are
	// warnings, since they only narrow what is known.
	ruleBearing bool
	lb          lbLinks
	// gatewayEndpoints maps gateway endpoints to the kind of their routes;
	// endpointAssocs wait for linkEndpointRoutes.
	gatewayEndpoints map[string]string
	endpointAssocs   []endpointAssoc
	// groups maps an aws_security_group block's name to the positions of
	// its instances in snap.Groups (for markUnattached).
	groups map[string][]int
	// unmodelled holds the module's full context with resource attributes
	// added as unknown (withUnmodelled), by the names added
	unmodelled map[string]*hcl.EvalContext
	// srcs holds the module's files by name (blockGroupRefs); lazyRefs the
	// groups its lazily parsed blocks refer to (settle, markUnattached)
	srcs     map[string][]byte
	lazyRefs map[string]bool
}

func (m *module) extract(snap *model.Snapshot, ev *evaluator) []model.Diagnostic {
	x := &moduleExtractor{m: m, ev: ev, prefix: ev.prefix, snap: snap,
		aclRules: map[string][]model.ACLEntry{}, aclUnknown: map[string][]model.Absent{}, aclAssocs: map[string][]aclAssoc{},
		sgAttach: map[string][]string{}, naclByAddr: map[string]int{}, lb: lbLinks{LoadBalancers: model.LoadBalancers{Kinds: map[string]string{}, Groups: map[string]model.TargetGroup{}},
			eips: map[string]string{}},
		gatewayEndpoints: map[string]string{}}
	// the first extraction of a lazily parsed module parses its blocks
	// just ahead of itself and lets each go once extracted
	first := m.extractions.Add(1) == 1
	rec, replays := ev.world.recording, ev.world.replays
	if ev.parent != nil {
		if rec != nil {
			rec.instances[ev.prefix] = m
		}
		replays = nil
		if r := ev.world.replay; r != nil {
			replays = r.plan(ev, ev.world.replayed)
			ev.world.cache.countReplays(0, len(replays))
		}
	}
	// the blocks replayed are not parsed
	var lazies []*lazyBody
	if first {
		for _, b := range m.blocks {
			if lb, ok := b.Body.(*lazyBody); ok && replays[lb] == nil {
				lazies = append(lazies, lb)
			}
		}
	}
	advance, stop := prefetch(lazies)
	for _, b := range m.blocks {
		switch b.Type {
		case "resource":
			if replayable(b.Body) && (rec != nil || replays != nil) {
				if e := replays[b.Body]; e != nil {
					x.replay(b, e, ev.world.replayed)
					continue
				}
				if rec != nil && replayTypes[b.Labels[0]] {
					mark := x.mark()
					x.resource(b)
					x.record(rec, b, b.Body, mark)
					if lb, ok := b.Body.(*lazyBody); ok {
						refs := x.settle(b, lb, first, true)
						if e := rec.blocks[blockKey{x.ev.prefix, lb}]; e != nil {
							e.refs = refs
						}
						advance()
					}
					continue
				}
			}
			x.resource(b)
			if lb, ok := b.Body.(*lazyBody); ok {
				x.settle(b, lb, first, false)
				advance()
			}
		case "removed":
			x.removed(b)
		}
	}
	stop()
	x.link()
	x.markUnattached()
	n := 0
	for _, rs := range x.rules {
		n += len(rs)
	}
	snap.Rules = slices.Grow(snap.Rules, n)
	for _, rs := range x.rules {
		snap.Rules = append(snap.Rules, rs...)
	}
	return x.diags
}

func (x *moduleExtractor) hclDiags(d hcl.Diagnostics) {
	x.diags = append(x.diags, convertDiags(d)...)
}

func (x *moduleExtractor) errorf(r hcl.Range, format string, args ...any) {
	x.diags = append(x.diags, model.Diagnostic{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column,
		Message: fmt.Sprintf(format, args...)})
}

// resource extracts every instance of one resource block.
func (x *moduleExtractor) resource(b *hcl.Block) {
	typ := b.Labels[0]
	ex, ok := extractors[typ]
	if !ok {
		return
	}
	if lb, ok := b.Body.(*lazyBody); ok {
		// what follows reads the block as parsed whole
		nb := *b
		nb.Body = lb.syntax()
		b = &nb
	}
	d := x.ev.resources[typ][b.Labels[1]]
	insts, why := x.ev.instances(d)
	if len(insts) == 0 && why != "" {
		if !strings.HasPrefix(why, invalidExpansion) { // invalid ones are input errors already
			x.ev.world.warn(b.DefRange, fmt.Sprintf("%s%s not analysed: %s", x.prefix, d.address(), why))
		}
		return
	}
	if len(insts) == 0 && ruleBearing[typ] {
		why := "count is 0"
		if _, ok := d.attributes()["for_each"]; ok {
			why = "for_each is empty"
		}
		x.snap.Absent = append(x.snap.Absent, model.Absent{Address: x.prefix + d.address(), Why: why,
			Source: x.m.blockSource(b)})
		return
	}
	if len(insts) == 0 && memberTypes[typ] {
		x.uncreated(b, d, ex.schema)
		return
	}
	if why != "" && !linkOnly[typ] {
		x.ev.world.warn(b.DefRange, fmt.Sprintf("%s%s is analysed as %s: %s",
			x.prefix, d.address(), conditionalWhat(x.prefix, insts), why))
	}
	full := x.ev.fullContext()
	dynamic := hasDynamic(b.Body)
	ignored := ignoreChanges(b.Body)
	for _, in := range insts {
		if ruleBearing[typ] && len(ignored) > 0 {
			x.snap.IgnoreChanges = append(x.snap.IgnoreChanges, model.IgnoredChanges{Address: x.prefix + in.addr,
				Args: ignored, Source: x.m.blockSource(b)})
		}
		ctx := full.NewChild()
		ctx.Variables = in.vars
		body := b.Body
		if dynamic {
			body = dynblock.Expand(b.Body, ctx)
		}
		content, rest, diags := contentOf(body, ex.schema)
		// a dynamic block's for_each that reads an attribute sgcheck does
		// not model (a subnet's availability_zone) is evaluated again with
		// that attribute unknown, as Terraform has it before apply
		for names := []string(nil); dynamic && diags.HasErrors() && len(names) < 8; {
			more := unmodelledAttrs(diags)
			n := len(names)
			for _, m := range more {
				if !slices.Contains(names, m) {
					names = append(names, m)
				}
			}
			if len(names) == n {
				break // not attributes of resources: errors of the configuration
			}
			ctx = x.withUnmodelled(full, names).NewChild()
			ctx.Variables = in.vars
			body = dynblock.Expand(b.Body, ctx)
			content, rest, diags = body.PartialContent(ex.schema)
		}
		if diags.HasErrors() {
			x.hclDiags(diags)
			continue
		}
		x.conditional = in.conditional
		x.ruleBearing = ruleBearing[typ]
		x.ev.each = in.partial
		ex.fn(x, &resourceInstance{addr: x.prefix + in.addr, block: b, content: content, rest: rest, ctx: ctx,
			src: x.m.blockSource(b)})
		x.conditional = false
		x.ev.each = ""
		if ruleBearing[typ] {
			x.emptyDynamics(b, x.prefix+in.addr, ctx)
		}
	}
}

// memberTypes are the resource types whose instances are members of the
// groups they name (the types (*moduleExtractor).attachment reads).
var memberTypes = map[string]bool{"aws_instance": true, "aws_network_interface": true,
	"aws_launch_configuration": true, "aws_spot_instance_request": true, "aws_efs_mount_target": true}

// uncreated records a member declared with no instance (Snapshot.Uncreated):
// the groups it names, its subnet and instance type, evaluated as for a
// conditional instance (count.index or each not known). Terraform evaluates
// nothing of a resource it creates no instance of, so neither errors nor
// warnings are reported here: groups that do not evaluate to a list of
// strings are not known, and a subnet or instance type that does not is
// left out.
func (x *moduleExtractor) uncreated(b *hcl.Block, d *resourceDecl, schema *hcl.BodySchema) {
	_, forEach := d.attributes()["for_each"]
	ctx := x.ev.fullContext().NewChild()
	ctx.Variables = conditional("", !forEach)[0].vars
	content, _, diags := b.Body.PartialContent(schema)
	if diags.HasErrors() {
		return
	}
	quiet := func(name string) (cty.Value, bool) {
		a, ok := content.Attributes[name]
		if !ok {
			return cty.NilVal, false
		}
		v, diags := a.Expr.Value(ctx)
		return v, !diags.HasErrors() && v.IsWhollyKnown()
	}
	att := model.Attachment{Name: x.prefix + d.address(), Kind: b.Labels[0], Source: x.m.blockSource(b)}
	for _, name := range []string{"vpc_security_group_ids", "security_groups"} {
		v, known := quiet(name)
		if v == cty.NilVal || (known && v.IsNull()) {
			continue
		}
		list, ok := asStrings(v)
		if !known || !ok {
			att.GroupsUnknown = append(att.GroupsUnknown, name+" is not determined")
			continue
		}
		for _, g := range list {
			att.Groups = append(att.Groups, refAddress(g))
		}
	}
	att.Groups = dedupe(att.Groups)
	if v, known := quiet("subnet_id"); known && !v.IsNull() {
		if s, ok := asString(v); ok {
			att.Subnet = refAddress(s)
		}
	}
	if v, known := quiet("instance_type"); known && !v.IsNull() {
		att.InstanceType, _ = asString(v)
	}
	x.snap.Uncreated = append(x.snap.Uncreated, att)
}

// ruleBearing are the resource types whose blocks declare rules or entries.
var ruleBearing = map[string]bool{"aws_security_group": true, "aws_default_security_group": true,
	"aws_security_group_rule": true, "aws_vpc_security_group_ingress_rule": true,
	"aws_vpc_security_group_egress_rule": true, "aws_network_acl": true, "aws_default_network_acl": true,
	"aws_network_acl_rule": true}

// emptyDynamics records the dynamic ingress and egress blocks of an
// instance whose for_each is empty: they declare no rule, and say so.
func (x *moduleExtractor) emptyDynamics(b *hcl.Block, addr string, ctx *hcl.EvalContext) {
	body, ok := b.Body.(*hclsyntax.Body)
	if !ok {
		return
	}
	for _, blk := range body.Blocks {
		if blk.Type != "dynamic" || len(blk.Labels) != 1 || (blk.Labels[0] != "ingress" && blk.Labels[0] != "egress") {
			continue
		}
		fe, ok := blk.Body.Attributes["for_each"]
		if !ok {
			continue
		}
		v, diags := fe.Expr.Value(ctx)
		if diags.HasErrors() || !v.IsKnown() || (!v.IsNull() && (!v.CanIterateElements() || v.LengthInt() > 0)) {
			continue
		}
		r := blk.Range()
		x.snap.Absent = append(x.snap.Absent, model.Absent{Address: addr + ".dynamic." + blk.Labels[0],
			Why: "its for_each is empty", Source: model.Source{File: r.Filename, StartLine: r.Start.Line, EndLine: r.End.Line}})
	}
}

type resourceInstance struct {
	addr    string
	block   *hcl.Block
	content *hcl.BodyContent
	rest    hcl.Body // what the schema left, where attribute syntax for block lists is found
	ctx     *hcl.EvalContext
	src     model.Source
}

type extractor struct {
	schema *hcl.BodySchema
	fn     func(*moduleExtractor, *resourceInstance)
}

func attrSchema(names ...string) []hcl.AttributeSchema {
	out := make([]hcl.AttributeSchema, len(names))
	for i, n := range names {
		out[i] = hcl.AttributeSchema{Name: n}
	}
	return out
}

var inlineRuleSchema = &hcl.BodySchema{Attributes: attrSchema("from_port", "to_port", "protocol",
	"cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups", "self", "description")}

var inlineACLSchema = &hcl.BodySchema{Attributes: attrSchema("rule_no", "action", "protocol",
	"cidr_block", "ipv6_cidr_block", "from_port", "to_port", "icmp_type", "icmp_code")}

var groupSchema = &hcl.BodySchema{
	Attributes: attrSchema("name", "vpc_id", "id", "description"),
	Blocks:     []hcl.BlockHeaderSchema{{Type: "ingress"}, {Type: "egress"}},
}

var aclSchema = &hcl.BodySchema{
	Attributes: attrSchema("vpc_id", "subnet_ids", "default_network_acl_id"),
	Blocks:     []hcl.BlockHeaderSchema{{Type: "ingress"}, {Type: "egress"}},
}

var extractors map[string]extractor

func init() {
	extractors = map[string]extractor{
		"aws_security_group":         {groupSchema, (*moduleExtractor).group},
		"aws_default_security_group": {groupSchema, (*moduleExtractor).group},
		"aws_security_group_rule": {&hcl.BodySchema{Attributes: attrSchema("type", "security_group_id",
			"from_port", "to_port", "protocol", "cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids",
			"source_security_group_id", "self", "description")}, (*moduleExtractor).standaloneRule},
		"aws_vpc_security_group_ingress_rule": {vpcRuleSchema, (*moduleExtractor).vpcRule},
		"aws_vpc_security_group_egress_rule":  {vpcRuleSchema, (*moduleExtractor).vpcRule},
		"aws_instance": {&hcl.BodySchema{Attributes: attrSchema("vpc_security_group_ids", "security_groups",
			"subnet_id", "instance_type")}, (*moduleExtractor).attachment},
		"aws_network_interface": {&hcl.BodySchema{Attributes: attrSchema("security_groups", "subnet_id")},
			(*moduleExtractor).attachment},
		"aws_network_interface_sg_attachment": {&hcl.BodySchema{Attributes: attrSchema("security_group_id",
			"network_interface_id")}, (*moduleExtractor).sgAttachment},
		"aws_launch_configuration": {&hcl.BodySchema{Attributes: attrSchema("security_groups", "instance_type")},
			(*moduleExtractor).attachment},
		"aws_spot_instance_request": {&hcl.BodySchema{Attributes: attrSchema("vpc_security_group_ids", "security_groups",
			"subnet_id", "instance_type")}, (*moduleExtractor).attachment},
		"aws_launch_template": {&hcl.BodySchema{Attributes: attrSchema("vpc_security_group_ids", "instance_type"),
			Blocks: []hcl.BlockHeaderSchema{{Type: "network_interfaces"}}}, (*moduleExtractor).launchTemplate},
		"awscc_ec2_network_interface": {&hcl.BodySchema{Attributes: attrSchema("group_set", "subnet_id",
			"connection_tracking_specification")}, (*moduleExtractor).awsccInterface},
		"aws_network_acl":         {aclSchema, (*moduleExtractor).networkACL},
		"aws_default_network_acl": {aclSchema, (*moduleExtractor).networkACL},
		"aws_network_acl_rule": {&hcl.BodySchema{Attributes: attrSchema("network_acl_id", "rule_number",
			"egress", "protocol", "rule_action", "cidr_block", "ipv6_cidr_block", "from_port", "to_port",
			"icmp_type", "icmp_code")}, (*moduleExtractor).aclRule},
		"aws_network_acl_association": {&hcl.BodySchema{Attributes: attrSchema("network_acl_id", "subnet_id")},
			(*moduleExtractor).aclAssociation},
		"aws_subnet": {&hcl.BodySchema{Attributes: attrSchema("cidr_block", "ipv6_cidr_block", "vpc_id")},
			(*moduleExtractor).subnet},
		"aws_vpc":              {&hcl.BodySchema{}, (*moduleExtractor).vpc},
		"aws_efs_mount_target": {&hcl.BodySchema{Attributes: attrSchema("security_groups")}, (*moduleExtractor).attachment},
		"aws_vpc_endpoint":     {vpcEndpointSchema, (*moduleExtractor).vpcEndpoint},
		"aws_lb": {&hcl.BodySchema{Attributes: attrSchema("load_balancer_type", "security_groups", "subnets", "idle_timeout")},
			(*moduleExtractor).loadBalancer},
		"aws_lb_listener": {&hcl.BodySchema{Attributes: attrSchema("load_balancer_arn"),
			Blocks: []hcl.BlockHeaderSchema{{Type: "default_action"}}}, (*moduleExtractor).lbListener},
		"aws_lb_target_group_attachment": {&hcl.BodySchema{Attributes: attrSchema("target_group_arn", "target_id", "port")},
			(*moduleExtractor).lbTargetAttachment},
		"aws_lb_target_group": {&hcl.BodySchema{Attributes: attrSchema("port"),
			Blocks: []hcl.BlockHeaderSchema{{Type: "health_check"}}}, (*moduleExtractor).lbTargetGroup},
		"aws_globalaccelerator_endpoint_group": {&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "endpoint_configuration"}}},
			(*moduleExtractor).acceleratorEndpoints},
		"aws_eip": {&hcl.BodySchema{Attributes: attrSchema("instance", "network_interface")}, (*moduleExtractor).elasticIP},
		"aws_vpc_endpoint_route_table_association": {&hcl.BodySchema{Attributes: attrSchema("vpc_endpoint_id", "route_table_id")},
			(*moduleExtractor).endpointAssociation},
		"aws_autoscaling_group": {&hcl.BodySchema{Attributes: attrSchema("target_group_arns", "launch_configuration"),
			Blocks: []hcl.BlockHeaderSchema{{Type: "launch_template"}}}, (*moduleExtractor).autoscalingGroup},
	}
	// managed services whose interfaces carry the groups they list
	for _, name := range model.GroupListServices {
		extractors[name] = extractor{groupsOnly, (*moduleExtractor).serviceAttachment}
	}
	for _, name := range model.GroupBlockServices {
		extractors[name] = extractor{nestedGroupsSchema, (*moduleExtractor).nestedAttachment}
	}
	extractors["aws_elb"] = extractor{&hcl.BodySchema{Attributes: attrSchema(append(slices.Clone(model.GroupListAttributes),
		"idle_timeout")...)}, (*moduleExtractor).classicLoadBalancer}
	// the provider's older names of the load balancer resources
	for alias, name := range map[string]string{"aws_alb": "aws_lb", "aws_alb_listener": "aws_lb_listener",
		"aws_alb_target_group": "aws_lb_target_group", "aws_alb_target_group_attachment": "aws_lb_target_group_attachment"} {
		extractors[alias] = extractors[name]
	}
}

// linkOnly are resources read only to link others (an Elastic IP that an
// accelerator endpoint names, a target group's ports): whether they are
// created is not worth a warning of its own.
var linkOnly = map[string]bool{"aws_eip": true, "aws_lb_target_group": true, "aws_alb_target_group": true}

var vpcRuleSchema = &hcl.BodySchema{Attributes: attrSchema("security_group_id", "ip_protocol", "from_port",
	"to_port", "cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id", "description")}

func (x *moduleExtractor) group(r *resourceInstance) {
	g := model.SecurityGroup{Address: r.addr, Source: r.src, Default: r.block.Labels[0] == "aws_default_security_group",
		CallSite: x.ev.callSite, Callers: x.ev.callers}
	if v := x.get(r.content.Attributes, "name", r.ctx); v.known() {
		g.Name, _ = asString(v.v)
	}
	if _, ok := r.content.Attributes["description"]; !ok {
		g.NoDescription = !g.Default // the default group's description is AWS's
	} else if v := x.get(r.content.Attributes, "description", r.ctx); v.known() {
		d, _ := asString(v.v)
		g.NoDescription = model.NoGroupDescription(d)
	}
	if v := x.get(r.content.Attributes, "vpc_id", r.ctx); v.known() {
		g.VPC, _ = asString(v.v)
	}
	if !g.Default {
		if x.groups == nil {
			x.groups = map[string][]int{}
		}
		x.groups[r.block.Labels[1]] = append(x.groups[r.block.Labels[1]], len(x.snap.Groups))
	}
	x.snap.Groups = append(x.snap.Groups, g)
	for _, it := range x.ruleItems(r, inlineRuleSchema) {
		spec := ruleSpec{name: it.name, group: r.addr, dir: model.Direction(it.typ), src: it.src, origin: "inline",
			protocol: it.get("protocol"), from: it.get("from_port"), to: it.get("to_port"), desc: it.get("description")}
		direct := [...]peerSource{
			{kind: model.PeerCIDR, v: it.get("cidr_blocks"), attr: "cidr_blocks", family: "ipv4"},
			{kind: model.PeerCIDR, v: it.get("ipv6_cidr_blocks"), attr: "ipv6_cidr_blocks", family: "ipv6"},
			{kind: model.PeerPrefixList, v: it.get("prefix_list_ids"), attr: "prefix_list_ids"},
		}
		groups := x.inlineGroupPeers(it, r)
		spec.peers = make([]peerSource, 0, len(direct)+len(groups)+1) // read in this order
		spec.peers = append(append(append(spec.peers, direct[:]...), groups...),
			peerSource{kind: model.PeerSelf, v: it.get("self"), attr: "self"})
		if it.unknown != "" {
			spec.peers = spec.peers[:1]
		}
		x.addRules(spec)
	}
}

func (x *moduleExtractor) standaloneRule(r *resourceInstance) {
	a := r.content.Attributes
	typ := x.get(a, "type", r.ctx)
	t, _ := asString(typ.v)
	if typ.why != "" {
		// valid Terraform whose direction the input does not determine
		x.ev.world.warn(r.block.DefRange, fmt.Sprintf("%s: %s; the rule's direction is not known, so it is not analysed",
			r.addr, typ.why))
		return
	}
	if !typ.known() || (t != "ingress" && t != "egress") {
		x.errorf(r.block.DefRange, "%s: type must be \"ingress\" or \"egress\"", r.addr)
		return
	}
	group := x.ruleGroup(r, a)
	spec := ruleSpec{name: r.addr, group: group, dir: model.Direction(t), src: r.src, origin: "standalone",
		protocol: x.get(a, "protocol", r.ctx), from: x.get(a, "from_port", r.ctx), to: x.get(a, "to_port", r.ctx),
		desc: x.get(a, "description", r.ctx)}
	spec.peers = []peerSource{
		{kind: model.PeerCIDR, v: x.get(a, "cidr_blocks", r.ctx), attr: "cidr_blocks", family: "ipv4"},
		{kind: model.PeerCIDR, v: x.get(a, "ipv6_cidr_blocks", r.ctx), attr: "ipv6_cidr_blocks", family: "ipv6"},
		{kind: model.PeerPrefixList, v: x.get(a, "prefix_list_ids", r.ctx), attr: "prefix_list_ids"},
		x.peerGroupSymbol(r, a, "source_security_group_id"),
		{kind: model.PeerSelf, v: x.get(a, "self", r.ctx), attr: "self"},
	}
	x.addRules(spec)
}

func (x *moduleExtractor) vpcRule(r *resourceInstance) {
	a := r.content.Attributes
	dir := model.Ingress
	if r.block.Labels[0] == "aws_vpc_security_group_egress_rule" {
		dir = model.Egress
	}
	group := x.ruleGroup(r, a)
	spec := ruleSpec{name: r.addr, group: group, dir: dir, src: r.src, origin: "standalone",
		protocol: x.get(a, "ip_protocol", r.ctx), from: x.get(a, "from_port", r.ctx), to: x.get(a, "to_port", r.ctx),
		desc: x.get(a, "description", r.ctx)}
	spec.peers = []peerSource{
		{kind: model.PeerCIDR, v: x.get(a, "cidr_ipv4", r.ctx), attr: "cidr_ipv4", family: "ipv4"},
		{kind: model.PeerCIDR, v: x.get(a, "cidr_ipv6", r.ctx), attr: "cidr_ipv6", family: "ipv6"},
		{kind: model.PeerPrefixList, v: x.get(a, "prefix_list_id", r.ctx), attr: "prefix_list_id"},
		x.peerGroupSymbol(r, a, "referenced_security_group_id"),
	}
	x.addRules(spec)
}

// peerGroupSymbol reads a rule resource's attribute that names the one
// security group its peers are members of. Where the input does not
// determine the id (a module that is not downloaded, a variable without a
// value), the peer is still a security group, whichever it is: AWS tracks
// every flow such a rule admits (only rules open to all addresses can be
// untracked, docs/semantics.md), so its flows are judged as a group's,
// under a symbolic group named after the reference, the same on both sides
// of a change. A reference that differs per instance (count.index, each)
// stays undetermined. A warning says so.
func (x *moduleExtractor) peerGroupSymbol(r *resourceInstance, a hcl.Attributes, attr string) peerSource {
	ps := peerSource{kind: model.PeerGroup, v: x.get(a, attr, r.ctx), attr: attr}
	if ps.v.why == "" {
		return ps
	}
	if ref, ok := x.symbolicRef(a[attr]); ok {
		ps.symbol = ref
		x.warnSymbolicPeers(r.src, r.addr, ps.v.why, []string{ref})
	}
	return ps
}

// inlineGroupPeers reads an inline rule's security_groups. Where the list
// is not determined but is written out ([module.bastion.security_group_id,
// aws_security_group.app.id]), each element is read on its own: one the
// input does not determine is a symbolic group named after its reference,
// as for a rule resource's group peer (peerGroupSymbol), with a warning.
func (x *moduleExtractor) inlineGroupPeers(it ruleItem, r *resourceInstance) []peerSource {
	whole := peerSource{kind: model.PeerGroup, v: it.get("security_groups"), attr: "security_groups"}
	if whole.v.why == "" || it.expr == nil {
		return []peerSource{whole}
	}
	tuple, ok := it.expr("security_groups").(*hclsyntax.TupleConsExpr)
	if !ok || len(tuple.Exprs) == 0 {
		return []peerSource{whole}
	}
	var out []peerSource
	var symbols []string
	for _, e := range tuple.Exprs {
		v, diags := e.Value(r.ctx)
		if diags.HasErrors() {
			return []peerSource{whole} // reported with the whole list
		}
		if v.IsWhollyKnown() {
			out = append(out, peerSource{kind: model.PeerGroup, attr: "security_groups",
				v: value{v: cty.TupleVal([]cty.Value{v}), set: !v.IsNull(), rng: e.Range()}})
			continue
		}
		ref, ok := x.symbolicExpr(e)
		if !ok {
			return []peerSource{whole}
		}
		symbols = append(symbols, ref)
		out = append(out, peerSource{kind: model.PeerGroup, attr: "security_groups", symbol: ref,
			v: value{set: true, why: whole.v.why, rng: e.Range()}})
	}
	x.warnSymbolicPeers(it.src, it.name, whole.v.why, symbols)
	return out
}

// warnSymbolicPeers says that a rule's group peers the input does not
// determine are analysed as the members of symbolic groups.
func (x *moduleExtractor) warnSymbolicPeers(src model.Source, rule, why string, symbols []string) {
	x.ev.world.warn(hcl.Range{Filename: src.File, Start: hcl.Pos{Line: src.StartLine}},
		fmt.Sprintf("%s: %s; its peers are analysed as the members of the symbolic group %s", rule, why,
			strings.Join(symbols, ", ")))
}

// ruleGroup resolves the group a standalone rule belongs to. Where the
// configuration does not determine it, the rule is analysed under a symbolic
// group named after the reference (var.sg_id, module.sg.id), shared by every
// rule of the module instance that names it, and a warning says why.
func (x *moduleExtractor) ruleGroup(r *resourceInstance, a hcl.Attributes) string {
	v := x.get(a, "security_group_id", r.ctx)
	if g, ok := x.groupRef(v); ok {
		return g
	}
	name := r.addr + ".security_group_id" // when the reference differs per instance
	if ref, ok := x.symbolicRef(a["security_group_id"]); ok {
		name = ref
	}
	why := v.why
	if why == "" {
		why = "security_group_id is not set"
	}
	x.ev.world.warn(hcl.Range{Filename: r.src.File, Start: hcl.Pos{Line: r.src.StartLine}},
		fmt.Sprintf("%s: %s; its rules are analysed under the symbolic group %s", r.addr, why, name))
	return name
}

// groupRef resolves a group id expression to a group address or literal id.
func (x *moduleExtractor) groupRef(v value) (string, bool) {
	if !v.known() {
		return "", false
	}
	s, ok := asString(v.v)
	if !ok {
		return "", false
	}
	return refAddress(s), true
}

// groupRefs resolves a list of group ids (or other references: subnets,
// target groups) in attribute attr of resource addr; unresolvable ones are
// returned separately with the reason. A value that is not a list of
// strings, which Terraform refuses, is an input error as well.
func (x *moduleExtractor) groupRefs(v value, attr, addr string) (groups, unknown []string) {
	if !v.set {
		return nil, nil
	}
	if v.why != "" {
		return nil, []string{v.why}
	}
	list, ok := asStrings(v.v)
	if !ok {
		why := notStrings(attr, v.v)
		x.errorf(v.rng, "%s: %s", addr, why)
		return nil, []string{why}
	}
	for _, s := range list {
		groups = append(groups, refAddress(s))
	}
	return groups, nil
}

func (x *moduleExtractor) attachment(r *resourceInstance) {
	a := r.content.Attributes
	att := model.Attachment{Name: r.addr, Kind: r.block.Labels[0], Source: r.src}
	for _, name := range []string{"vpc_security_group_ids", "security_groups"} {
		g, u := x.groupRefs(x.get(a, name, r.ctx), name, r.addr)
		att.Groups = append(att.Groups, g...)
		att.GroupsUnknown = append(att.GroupsUnknown, u...)
	}
	if s, ok := x.groupRef(x.get(a, "subnet_id", r.ctx)); ok {
		att.Subnet = s
	}
	att.InstanceType = x.instanceType(a, r.ctx)
	x.addAttachment(att)
}

// instanceType reads a determined instance_type; "" otherwise.
func (x *moduleExtractor) instanceType(a hcl.Attributes, ctx *hcl.EvalContext) string {
	if _, ok := a["instance_type"]; !ok {
		return ""
	}
	if v := x.get(a, "instance_type", ctx); v.known() {
		t, _ := asString(v.v)
		return t
	}
	return ""
}

func (x *moduleExtractor) addAttachment(att model.Attachment) {
	att.Groups = dedupe(att.Groups)
	x.snap.Unknowns += len(att.GroupsUnknown)
	x.snap.Attachments = append(x.snap.Attachments, att)
}

// symbolicENI is an interface that aws_network_interface_sg_attachment
// names by a reference the configuration does not resolve (an existing
// instance's interface read by a data source, a variable): the groups
// attached to the same reference act together on it (§6), with its other
// groups, attached outside the configuration, not known.
type symbolicENI struct {
	name        string
	groups      []string
	attachments []string
	src         model.Source
	why         string
}

func (x *moduleExtractor) sgAttachment(r *resourceInstance) {
	gv, nv := x.get(r.content.Attributes, "security_group_id", r.ctx), x.get(r.content.Attributes, "network_interface_id", r.ctx)
	g, ok1 := x.groupRef(gv)
	eni, ok2 := x.groupRef(nv)
	if ok1 && !ok2 && nv.why != "" {
		if name, ok := x.symbolicRef(r.content.Attributes["network_interface_id"]); ok {
			x.attachSymbolic(name, g, r, nv.why)
			return
		}
	}
	if !ok1 || !ok2 {
		x.ev.world.warn(hcl.Range{Filename: r.src.File, Start: hcl.Pos{Line: r.src.StartLine}},
			fmt.Sprintf("%s: %s; the attachment is not known", r.addr, orElse(orElse(gv.why, nv.why), "security_group_id or network_interface_id is not set")))
		return
	}
	x.sgAttach[eni] = append(x.sgAttach[eni], g)
}

// symbolicRef names what a reference stands for when it is the same for
// every instance: the reference itself (data.aws_instance.web.network_interface_id,
// var.eni_id), qualified by the root.
func (x *moduleExtractor) symbolicRef(attr *hcl.Attribute) (string, bool) {
	if attr == nil {
		return "", false
	}
	return x.symbolicExpr(attr.Expr)
}

// symbolicExpr is symbolicRef for an expression.
func (x *moduleExtractor) symbolicExpr(expr hcl.Expression) (string, bool) {
	t, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() {
		return "", false
	}
	switch t.RootName() {
	case "each", "count", "self":
		return "", false // differs per instance
	}
	return x.prefix + traversalString(t), true
}

func (x *moduleExtractor) attachSymbolic(name, group string, r *resourceInstance, why string) {
	for _, e := range x.symbolicENIs {
		if e.name == name {
			e.groups = append(e.groups, group)
			e.attachments = append(e.attachments, r.addr)
			return
		}
	}
	x.symbolicENIs = append(x.symbolicENIs, &symbolicENI{name: name, groups: []string{group},
		attachments: []string{r.addr}, src: r.src, why: why})
}

// linkSymbolicENIs makes an attachment of each interface named by an
// unresolved reference, carrying every group attached to it here.
func (x *moduleExtractor) linkSymbolicENIs() {
	for _, e := range x.symbolicENIs {
		others := fmt.Sprintf("a group attached to %s outside this configuration", e.name)
		what := "the groups are"
		if len(e.groups) == 1 {
			what = "the group is"
		}
		x.addAttachment(model.Attachment{Name: e.name, Kind: "aws_network_interface", Source: e.src,
			Groups: e.groups, GroupsUnknown: []string{others}})
		x.ev.world.warn(hcl.Range{Filename: e.src.File, Start: hcl.Pos{Line: e.src.StartLine}},
			fmt.Sprintf("%s: %s; %s analysed together on that interface, whose other groups are not known",
				strings.Join(e.attachments, ", "), e.why, what))
	}
}

var trackingSchema = &hcl.BodySchema{Attributes: attrSchema("tcp_established_timeout", "udp_stream_timeout", "udp_timeout")}

var launchNICSchema = &hcl.BodySchema{Attributes: attrSchema("security_groups", "subnet_id"),
	Blocks: []hcl.BlockHeaderSchema{{Type: "connection_tracking_specification"}}}

func (x *moduleExtractor) launchTemplate(r *resourceInstance) {
	att := model.Attachment{Name: r.addr, Kind: "aws_launch_template", Source: r.src}
	att.Groups, att.GroupsUnknown = x.groupRefs(x.get(r.content.Attributes, "vpc_security_group_ids", r.ctx), "vpc_security_group_ids", r.addr)
	att.InstanceType = x.instanceType(r.content.Attributes, r.ctx)
	for _, nic := range r.content.Blocks {
		content, _, diags := nic.Body.PartialContent(launchNICSchema)
		if diags.HasErrors() {
			x.hclDiags(diags)
			continue
		}
		g, u := x.groupRefs(x.get(content.Attributes, "security_groups", r.ctx), "security_groups", r.addr)
		att.Groups = append(att.Groups, g...)
		att.GroupsUnknown = append(att.GroupsUnknown, u...)
		if s, ok := x.groupRef(x.get(content.Attributes, "subnet_id", r.ctx)); ok {
			att.Subnet = s
		}
		for _, ct := range content.Blocks {
			tc, _, diags := ct.Body.PartialContent(trackingSchema)
			x.hclDiags(diags)
			if tc != nil {
				att.Tracking = x.tracking(tc.Attributes, r.ctx, x.m.blockSource(ct))
			}
		}
	}
	x.addAttachment(att)
}

// tracking reads declared connection-tracking timeouts (docs/aws-semantics.md §4, §8).
func (x *moduleExtractor) tracking(a hcl.Attributes, ctx *hcl.EvalContext, src model.Source) model.ConnTracking {
	t := model.ConnTracking{Source: src}
	for name, dst := range map[string]**int{"tcp_established_timeout": &t.TCPEstablished,
		"udp_stream_timeout": &t.UDPStream, "udp_timeout": &t.UDP} {
		v := x.get(a, name, ctx)
		if !v.set {
			continue
		}
		r := model.TimeoutRanges[name]
		n, why, bad := x.number(v, r[0], r[1], name, "connection_tracking_specification")
		switch {
		case bad:
			t.Invalid = append(t.Invalid, name)
		case why != "":
			x.snap.Unknowns++
		default:
			*dst = &n
		}
	}
	sort.Strings(t.Invalid)
	return t
}

func (x *moduleExtractor) awsccInterface(r *resourceInstance) {
	a := r.content.Attributes
	att := model.Attachment{Name: r.addr, Kind: "awscc_ec2_network_interface", Source: r.src}
	att.Groups, att.GroupsUnknown = x.groupRefs(x.get(a, "group_set", r.ctx), "group_set", r.addr)
	if s, ok := x.groupRef(x.get(a, "subnet_id", r.ctx)); ok {
		att.Subnet = s
	}
	if v := x.get(a, "connection_tracking_specification", r.ctx); v.known() && v.v.Type().IsObjectType() {
		t := model.ConnTracking{Source: r.src}
		for name, dst := range map[string]**int{"tcp_established_timeout": &t.TCPEstablished,
			"udp_stream_timeout": &t.UDPStream, "udp_timeout": &t.UDP} {
			if v.v.Type().HasAttribute(name) && !v.v.GetAttr(name).IsNull() {
				r := model.TimeoutRanges[name]
				n, msg := intIn(v.v.GetAttr(name), r[0], r[1], name)
				if msg != "" {
					x.errorf(v.rng, "connection_tracking_specification: %s", msg)
					t.Invalid = append(t.Invalid, name)
					continue
				}
				*dst = &n
			}
		}
		att.Tracking = t
	}
	x.addAttachment(att)
}

func (x *moduleExtractor) subnet(r *resourceInstance) {
	s := model.Subnet{Address: r.addr, Source: r.src}
	if v := x.get(r.content.Attributes, "cidr_block", r.ctx); v.known() {
		if str, ok := asString(v.v); ok {
			if p, err := netip.ParsePrefix(str); err == nil {
				s.CIDR = p.Masked()
			}
		}
	}
	if v, ok := x.groupRef(x.get(r.content.Attributes, "vpc_id", r.ctx)); ok {
		s.VPC = v
	}
	x.snap.Subnets = append(x.snap.Subnets, s)
}

func (x *moduleExtractor) vpc(r *resourceInstance) {
	x.snap.VPCs = append(x.snap.VPCs, model.VPC{Address: r.addr, Source: r.src})
}

// link resolves references between resources of the module.
func (x *moduleExtractor) link() {
	x.linkLoadBalancers()
	x.linkEndpointRoutes()
	x.linkSymbolicENIs()
	for eni, groups := range x.sgAttach {
		for i := range x.snap.Attachments {
			if x.snap.Attachments[i].Name == eni {
				x.snap.Attachments[i].Groups = dedupe(append(x.snap.Attachments[i].Groups, groups...))
			}
		}
	}
	for addr, i := range x.naclByAddr {
		n := &x.snap.NACLs[i]
		n.Entries = append(n.Entries, x.aclRules[addr]...)
		n.Unknown = append(n.Unknown, x.aclUnknown[addr]...)
		for _, a := range x.aclAssocs[addr] {
			n.Subnets = append(n.Subnets, a.subnet)
			if _, ok := n.SubnetSources[a.subnet]; !ok {
				if n.SubnetSources == nil {
					n.SubnetSources = map[string]model.Source{}
				}
				n.SubnetSources[a.subnet] = a.src
			}
		}
		n.Subnets = dedupe(n.Subnets)
		sort.SliceStable(n.Entries, func(a, b int) bool {
			if n.Entries[a].Egress != n.Entries[b].Egress {
				return !n.Entries[a].Egress
			}
			return n.Entries[a].Number < n.Entries[b].Number
		})
	}
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// hasDynamic reports whether a body may hold dynamic blocks: bodies not in
// native syntax are always expanded.
func hasDynamic(body hcl.Body) bool {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return true
	}
	for _, b := range sb.Blocks {
		if b.Type == "dynamic" || hasDynamic(b.Body) {
			return true
		}
	}
	return false
}

var lifecycleSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "lifecycle"}}}

var ignoreChangesSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "ignore_changes"}}}

// ignoreChanges returns the top-level arguments a resource's lifecycle
// ignore_changes names (all, a list of references such as [ingress,
// tags["x"]], or the older quoted names), sorted; "all" stands for every
// argument.
func ignoreChanges(body hcl.Body) []string {
	if sb, ok := body.(*hclsyntax.Body); ok && !slices.ContainsFunc(sb.Blocks, func(b *hclsyntax.Block) bool { return b.Type == "lifecycle" }) {
		return nil // most resources have no lifecycle block
	}
	content, _, _ := body.PartialContent(lifecycleSchema)
	seen := map[string]bool{}
	for _, lb := range content.Blocks {
		lc, _, _ := lb.Body.PartialContent(ignoreChangesSchema)
		a := lc.Attributes["ignore_changes"]
		if a == nil {
			continue
		}
		if hcl.ExprAsKeyword(a.Expr) == "all" {
			seen["all"] = true
			continue
		}
		items, diags := hcl.ExprList(a.Expr)
		if diags.HasErrors() {
			continue
		}
		for _, it := range items {
			if t, d := hcl.RelTraversalForExpr(it); !d.HasErrors() && len(t) > 0 {
				if n, ok := t[0].(hcl.TraverseAttr); ok {
					seen[n.Name] = true
				}
				continue
			}
			if v, d := it.Value(nil); !d.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
				name := v.AsString()
				if k := strings.IndexAny(name, ".["); k >= 0 {
					name = name[:k]
				}
				seen[name] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

var removedSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "from"}},
	Blocks: []hcl.BlockHeaderSchema{{Type: "lifecycle"}}}

var destroySchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "destroy"}}}

// removed records a removed block whose lifecycle says destroy = false:
// Terraform forgets what it names (a resource, or a module call and all
// it holds) without destroying it, so it stays in AWS.
func (x *moduleExtractor) removed(b *hcl.Block) {
	content, _, diags := b.Body.PartialContent(removedSchema)
	if diags.HasErrors() || content.Attributes["from"] == nil {
		return
	}
	t, diags := hcl.AbsTraversalForExpr(content.Attributes["from"].Expr)
	if diags.HasErrors() {
		return
	}
	destroy := true
	for _, lb := range content.Blocks {
		lc, _, _ := lb.Body.PartialContent(destroySchema)
		if a := lc.Attributes["destroy"]; a != nil {
			if v, d := a.Expr.Value(nil); !d.HasErrors() && v.Type() == cty.Bool && v.IsKnown() && !v.IsNull() {
				destroy = v.True()
			}
		}
	}
	if !destroy {
		x.snap.Forgotten = append(x.snap.Forgotten, model.Forgotten{Address: x.prefix + traversalString(t),
			Source: x.m.blockSource(b)})
	}
}

// unsupportedAttr finds the attribute an "Unsupported attribute" error names.
var unsupportedAttr = regexp.MustCompile(`does not have an attribute named "([^"]+)"`)

// unmodelledAttrs returns the attributes that diags' errors say an object
// lacks, or nil when an error is of another kind.
func unmodelledAttrs(diags hcl.Diagnostics) []string {
	var names []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		m := unsupportedAttr.FindStringSubmatch(d.Detail)
		if d.Summary != "Unsupported attribute" || m == nil {
			return nil
		}
		names = append(names, m[1])
	}
	return names
}

// withUnmodelled returns full with every resource and data source instance
// holding names too, as unknown values where it lacks them: attributes of
// a resource that sgcheck does not model, which Terraform knows after
// apply (a subnet's availability_zone). Other values are full's.
func (x *moduleExtractor) withUnmodelled(full *hcl.EvalContext, names []string) *hcl.EvalContext {
	key := strings.Join(slices.Sorted(slices.Values(names)), ",")
	if c, ok := x.unmodelled[key]; ok {
		return c
	}
	c := &hcl.EvalContext{Variables: make(map[string]cty.Value, len(full.Variables)), Functions: full.Functions}
	for root, v := range full.Variables {
		switch {
		case x.ev.resources[root] != nil:
			v = withInstanceAttrs(v, names, 1)
		case root == "data":
			v = withInstanceAttrs(v, names, 2)
		}
		c.Variables[root] = v
	}
	if x.unmodelled == nil {
		x.unmodelled = map[string]*hcl.EvalContext{}
	}
	x.unmodelled[key] = c
	return c
}

// withInstanceAttrs adds names, unknown, to the instance objects in v: the
// values of v's attributes depth levels down (a resource type's object
// holds its resources, data's its types and then their data sources),
// each one instance or a tuple or object of instances (count, for_each).
func withInstanceAttrs(v cty.Value, names []string, depth int) cty.Value {
	if !v.IsKnown() || v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsTupleType()) {
		return v
	}
	if depth == 0 {
		if isInstance(v) {
			attrs := v.AsValueMap()
			for _, n := range names {
				if _, ok := attrs[n]; !ok {
					attrs[n] = cty.DynamicVal
				}
			}
			return cty.ObjectVal(attrs)
		}
		// count or for_each: each element is an instance
		if v.LengthInt() == 0 {
			return v
		}
		out := map[string]cty.Value{}
		var list []cty.Value
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			e = withInstanceAttrs(e, names, 0)
			if v.Type().IsTupleType() {
				list = append(list, e)
			} else {
				out[k.AsString()] = e
			}
		}
		if v.Type().IsTupleType() {
			return cty.TupleVal(list)
		}
		return cty.ObjectVal(out)
	}
	if !v.Type().IsObjectType() || v.LengthInt() == 0 {
		return v
	}
	out := v.AsValueMap()
	for k, e := range out {
		out[k] = withInstanceAttrs(e, names, depth-1)
	}
	return cty.ObjectVal(out)
}

// isInstance reports whether v is a resource or data source instance: an
// object whose id is the reference instanceValue gives it.
func isInstance(v cty.Value) bool {
	if !v.Type().IsObjectType() || !v.Type().HasAttribute("id") {
		return false
	}
	id := v.GetAttr("id")
	return id.IsKnown() && !id.IsNull() && id.Type() == cty.String && strings.HasPrefix(id.AsString(), refPrefix)
}
