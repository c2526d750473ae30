output "public_base_url" {
  description = "Public domain of the environment."
  value       = module.edge.public_base_url
}

output "api_endpoint" {
  description = "HTTP API endpoint (origin of the distribution)."
  value       = module.stack.api_endpoint
}

output "distribution_domain_name" {
  description = "CloudFront domain name."
  value       = module.edge.distribution_domain_name
}

output "repository_url" {
  description = "ECR repository of the image."
  value       = module.stack.repository_url
}

output "function_names" {
  description = "Function names by key."
  value       = module.stack.function_names
}

output "user_pool_id" {
  description = "Cognito user pool id."
  value       = module.stack.user_pool_id
}

output "user_pool_client_id" {
  description = "Cognito app client id."
  value       = module.stack.user_pool_client_id
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.stack.alarm_topic_arn
}
