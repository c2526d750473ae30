output "environment" {
  description = "The settings every function gets (APP_ENV, TABLE_NAME, COGNITO_*, …): what the app served outside Lambda needs too."
  value       = local.environment
}

output "region" {
  description = "AWS region of the stack."
  value       = data.aws_region.current.name
}

output "table_name" {
  description = "DynamoDB table name."
  value       = module.data.table_name
}

output "photos_bucket" {
  description = "Photos bucket (photos under users/, pending uploads, exports)."
  value       = module.data.bucket_name
}

output "user_pool_id" {
  description = "Cognito user pool id."
  value       = module.auth.user_pool_id
}

output "user_pool_client_id" {
  description = "Cognito public app client id."
  value       = module.auth.client_id
}

output "cognito_issuer" {
  description = "Token issuer (the AWS form, which the emulator signs too)."
  value       = module.auth.issuer_url
}

output "cognito_jwks_url" {
  description = "JWKS URL of the issuer (the emulator's own when aws_endpoint is set)."
  value       = local.cognito_jwks_url
}

output "api_id" {
  description = "HTTP API id; an emulator serves it at <aws_endpoint>/_aws/execute-api/<api_id>/<path>."
  value       = module.api.api_id
}

output "api_endpoint" {
  description = "Endpoint of the HTTP API (the edge's origin)."
  value       = module.api.api_endpoint
}

output "function_names" {
  description = "Function names by key."
  value       = module.functions.function_names
}

output "api_function_name" {
  description = "Name of the api function."
  value       = module.functions.function_names["api"]
}

output "reminders_function_name" {
  description = "Name of the reminders function (invoked by the scheduler)."
  value       = module.functions.function_names["reminders"]
}

output "reminders_function_arn" {
  description = "ARN of the reminders function, the schedules' target."
  value       = local.reminders_function_arn
}

output "reminders_schedule_group" {
  description = "EventBridge Scheduler group of the reminder schedules."
  value       = module.scheduling.group_name
}

output "scheduler_role_arn" {
  description = "Role the scheduler assumes to invoke the reminders function."
  value       = module.scheduling.role_arn
}

output "reminders_dlq_arn" {
  description = "Dead-letter queue of undelivered reminder events."
  value       = module.scheduling.dlq_arn
}

output "failure_queues" {
  description = "On-failure destinations by function key (name and arn): reminders' asynchronous events, the alerts function's stream batches."
  value       = module.functions.failure_queues
}

output "repository_url" {
  description = "ECR repository the deploy pipeline pushes the image to (null for Zip)."
  value       = module.functions.repository_url
}

output "public_base_url" {
  description = "https://<domain> of the edge (null without it)."
  value       = module.edge.public_base_url
}

output "distribution_domain_name" {
  description = "CloudFront domain name (null without the edge)."
  value       = module.edge.distribution_domain_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.monitoring.topic_arn
}

output "alarm_key_arn" {
  description = "Customer managed KMS key of the alarm topic."
  value       = module.monitoring.kms_key_arn
}

output "silence_check_schedule_name" {
  description = "The rate schedule that invokes the alerts function's silence check."
  value       = module.scheduling.silence_check_schedule_name
}

output "table_stream_arn" {
  description = "The table's stream (NEW_IMAGE): the readings feed the alerts function consumes."
  value       = module.data.stream_arn
}

output "readings_feed_mapping_uuid" {
  description = "UUID of the event source mapping from the table's stream to the alerts function (enable or disable it by this id)."
  value       = module.functions.table_stream_mappings["alerts"].uuid
}
