output "stack" {
  description = "Every output of the stack: public_base_url, distribution_domain_name, api_endpoint, repository_url, function_names, user_pool_id, user_pool_client_id, alarm_topic_arn…"
  value       = module.stack
}
