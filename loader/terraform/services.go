package terraform

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/sgcheck/sgcheck/model"
	"strings"
)

// Managed services that carry security groups. Lambda functions and
// interface VPC endpoints are automatically tracked (docs/aws-semantics.md
// §3): AWS tracks their connections whatever the rules say.

var groupsOnly = &hcl.BodySchema{Attributes: attrSchema(model.GroupListAttributes...)}

// serviceAttachment reads a resource whose groups are a top-level list:
// vpc_security_group_ids (RDS, Neptune, DMS, RDS Proxy), security_group_ids
// (ElastiCache, MemoryDB, Route 53 Resolver endpoints, Client VPN, FSx) or
// security_groups (a Classic Load Balancer, Amazon MQ, App Runner).
func (x *moduleExtractor) serviceAttachment(r *resourceInstance) {
	x.addListed(x.listedGroups(r))
}

// classicLoadBalancer reads a Classic Load Balancer (aws_elb): its groups,
// and the idle timeout after which it closes connections.
func (x *moduleExtractor) classicLoadBalancer(r *resourceInstance) {
	att := x.listedGroups(r)
	att.IdleTimeout, att.IdleTimeoutDeclared = x.lbIdleTimeout(r)
	x.addListed(att)
}

// listedGroups is the attachment of a resource whose groups are a
// top-level list (model.GroupListAttributes).
func (x *moduleExtractor) listedGroups(r *resourceInstance) model.Attachment {
	att := model.Attachment{Name: r.addr, Kind: r.block.Labels[0], Source: r.src}
	for _, name := range model.GroupListAttributes {
		g, u := x.groupRefs(x.get(r.content.Attributes, name, r.ctx), name, r.addr)
		att.Groups = append(att.Groups, g...)
		att.GroupsUnknown = append(att.GroupsUnknown, u...)
	}
	return att
}

// addListed adds att if it names a group.
func (x *moduleExtractor) addListed(att model.Attachment) {
	if len(att.Groups)+len(att.GroupsUnknown) > 0 {
		x.addAttachment(att)
	}
}

var vpcEndpointSchema = &hcl.BodySchema{Attributes: attrSchema("security_group_ids", "vpc_endpoint_type", "subnet_ids",
	"service_name", "route_table_ids")}

func (x *moduleExtractor) vpcEndpoint(r *resourceInstance) {
	typ := "Gateway"
	if v := x.get(r.content.Attributes, "vpc_endpoint_type", r.ctx); v.known() {
		typ, _ = asString(v.v)
	}
	if typ == "Gateway" {
		x.gatewayEndpoint(r)
	}
	g, u := x.groupRefs(x.get(r.content.Attributes, "security_group_ids", r.ctx), "security_group_ids", r.addr)
	if len(g)+len(u) == 0 {
		return
	}
	att := model.Attachment{Name: r.addr, Kind: "aws_vpc_endpoint", Source: r.src, Groups: g, GroupsUnknown: u}
	if typ == "Interface" || typ == "GatewayLoadBalancer" {
		att.AutoTracked = "vpc-endpoint"
	}
	x.addAttachment(att)
}

var nestedGroupsSchema = func() *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, b := range model.GroupBlocks {
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: b})
	}
	return s
}()

var nestedGroupAttrs = &hcl.BodySchema{Attributes: attrSchema(append([]string{"subnet_ids", "subnets"}, model.GroupBlockAttributes...)...)}

// nestedAttachment reads resources whose groups sit in a nested block:
// aws_lambda_function.vpc_config, aws_ecs_service.network_configuration,
// aws_opensearch_domain.vpc_options, aws_msk_cluster.broker_node_group_info,
// aws_batch_compute_environment.compute_resources, ….
func (x *moduleExtractor) nestedAttachment(r *resourceInstance) {
	att := model.Attachment{Name: r.addr, Kind: r.block.Labels[0], Source: r.src}
	if r.block.Labels[0] == "aws_lambda_function" {
		att.AutoTracked = "lambda"
	}
	for _, b := range r.content.Blocks {
		content, _, _ := b.Body.PartialContent(nestedGroupAttrs)
		if content == nil {
			continue
		}
		for _, name := range model.GroupBlockAttributes {
			g, u := x.groupRefs(x.get(content.Attributes, name, r.ctx), name, r.addr)
			att.Groups = append(att.Groups, g...)
			att.GroupsUnknown = append(att.GroupsUnknown, u...)
		}
	}
	if len(att.Groups)+len(att.GroupsUnknown) == 0 {
		return
	}
	if r.block.Labels[0] == "aws_eks_cluster" {
		// EKS also attaches the cluster security group it creates to the
		// control plane's interfaces
		att.GroupsUnknown = append(att.GroupsUnknown, "the cluster security group that EKS creates for "+r.addr)
	}
	x.addAttachment(att)
}

// gatewayEndpoint records the kind of a gateway endpoint's routes and adds
// them to the route tables it names. Its routes send the service's prefix
// list to the endpoint: DynamoDB's are tracked automatically, S3's are not
// (docs/aws-semantics.md §3).
func (x *moduleExtractor) gatewayEndpoint(r *resourceInstance) {
	kind := model.RouteUnknown
	if v := x.get(r.content.Attributes, "service_name", r.ctx); v.known() {
		name, _ := asString(v.v)
		kind = model.RouteOther
		if strings.Contains(name, "dynamodb") {
			kind = model.RouteDynamoDBEndpoint
		}
	}
	x.gatewayEndpoints[r.addr] = kind
	tables, _ := x.groupRefs(x.get(r.content.Attributes, "route_table_ids", r.ctx), "route_table_ids", r.addr)
	for _, t := range tables {
		x.snap.PendingRoutes = append(x.snap.PendingRoutes, model.PendingRoute{Table: t, Route: x.endpointRoute(r.addr, r.src)})
	}
}

// endpointRoute is the route a gateway endpoint adds to a table.
func (x *moduleExtractor) endpointRoute(endpoint string, src model.Source) model.Route {
	kind, ok := x.gatewayEndpoints[endpoint]
	if !ok {
		kind = model.RouteUnknown
	}
	return model.Route{DestPrefixList: endpoint + ".prefix_list_id", Target: endpoint, Kind: kind, Source: src}
}

// endpointAssociation reads aws_vpc_endpoint_route_table_association; it is
// resolved once the module's endpoints are known.
func (x *moduleExtractor) endpointAssociation(r *resourceInstance) {
	ep, ok1 := x.groupRef(x.get(r.content.Attributes, "vpc_endpoint_id", r.ctx))
	table, ok2 := x.groupRef(x.get(r.content.Attributes, "route_table_id", r.ctx))
	if ok1 && ok2 {
		x.endpointAssocs = append(x.endpointAssocs, endpointAssoc{ep, table, r.src})
	}
}

type endpointAssoc struct {
	endpoint, table string
	src             model.Source
}

// linkEndpointRoutes adds the routes of associated gateway endpoints.
func (x *moduleExtractor) linkEndpointRoutes() {
	for _, a := range x.endpointAssocs {
		x.snap.PendingRoutes = append(x.snap.PendingRoutes, model.PendingRoute{Table: a.table, Route: x.endpointRoute(a.endpoint, a.src)})
	}
}
