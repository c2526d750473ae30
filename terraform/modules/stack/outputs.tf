output "api_endpoint" {
  description = "Endpoint of the HTTP API (the edge's origin)."
  value       = module.api.api_endpoint
}

output "api_id" {
  description = "ID of the HTTP API."
  value       = module.api.api_id
}

output "repository_url" {
  description = "ECR repository the deploy pipeline pushes the image to."
  value       = module.functions.repository_url
}

output "function_names" {
  description = "Function names by key."
  value       = module.functions.function_names
}

output "table_name" {
  description = "DynamoDB table name."
  value       = module.data.table_name
}

output "photos_bucket" {
  description = "Photos (and exports) bucket."
  value       = module.data.bucket_name
}

output "user_pool_id" {
  description = "Cognito user pool id."
  value       = module.auth.user_pool_id
}

output "user_pool_client_id" {
  description = "Cognito app client id."
  value       = module.auth.client_id
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.monitoring.topic_arn
}
