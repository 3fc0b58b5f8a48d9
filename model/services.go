package model

// Managed services whose interfaces carry security groups, as their
// Terraform resources list them: read the same way from configurations,
// plans and states.

// GroupListServices list their groups at the top level
// (vpc_security_group_ids, security_group_ids or security_groups).
var GroupListServices = []string{"aws_db_instance", "aws_rds_cluster", "aws_elasticache_cluster", "aws_docdb_cluster",
	"aws_redshift_cluster", "aws_elasticache_replication_group", "aws_memorydb_cluster", "aws_db_proxy",
	"aws_neptune_cluster", "aws_docdbelastic_cluster", "aws_dms_replication_instance", "aws_mq_broker",
	"aws_route53_resolver_endpoint", "aws_ec2_client_vpn_endpoint", "aws_apigatewayv2_vpc_link",
	"aws_apprunner_vpc_connector", "aws_redshiftserverless_workgroup", "aws_elb", "aws_fsx_lustre_file_system",
	"aws_fsx_windows_file_system", "aws_fsx_ontap_file_system", "aws_fsx_openzfs_file_system"}

// GroupListAttributes are the top-level lists of GroupListServices.
var GroupListAttributes = []string{"vpc_security_group_ids", "security_group_ids", "security_groups"}

// GroupBlockServices list their groups in a nested block (GroupBlocks):
// aws_lambda_function.vpc_config, aws_opensearch_domain.vpc_options, ….
var GroupBlockServices = []string{"aws_lambda_function", "aws_ecs_service", "aws_eks_cluster", "aws_opensearch_domain",
	"aws_elasticsearch_domain", "aws_msk_cluster", "aws_msk_serverless_cluster", "aws_codebuild_project",
	"aws_batch_compute_environment", "aws_mwaa_environment", "aws_transfer_server", "aws_sagemaker_domain"}

// GroupBlocks are the nested blocks of GroupBlockServices, and
// GroupBlockAttributes the lists in them.
var (
	GroupBlocks = []string{"vpc_config", "network_configuration", "vpc_options", "broker_node_group_info",
		"compute_resources", "endpoint_details", "default_user_settings"}
	GroupBlockAttributes = []string{"security_group_ids", "security_groups"}
)
