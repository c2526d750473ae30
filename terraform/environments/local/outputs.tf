output "table_name" {
  description = "DynamoDB table name."
  value       = module.data.table_name
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
  description = "Token issuer (real AWS form, as the emulator signs it)."
  value       = module.auth.issuer_url
}

output "cognito_jwks_url" {
  description = "JWKS URL as served by the emulator."
  value       = local.cognito_jwks_url
}

output "api_id" {
  description = "HTTP API id; the emulator serves it at <aws_endpoint>/_aws/execute-api/<api_id>/<path>."
  value       = module.api.api_id
}

output "api_endpoint" {
  description = "HTTP API endpoint as reported by the emulator."
  value       = module.api.api_endpoint
}

output "api_function_name" {
  description = "Name of the api Lambda function."
  value       = module.functions.function_names["api"]
}

output "region" {
  description = "AWS region."
  value       = var.region
}

output "app_dotenv" {
  description = "The functions' settings as KEY=value lines, for the app served outside Lambda (compose)."
  value       = join("\n", [for key, value in local.environment : "${key}=${value}"])
}

output "reminders_function_name" {
  description = "Name of the reminders Lambda function (invoked by the scheduler)."
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

output "photos_bucket" {
  description = "Photos bucket (photos under users/, pending uploads, exports)."
  value       = module.data.bucket_name
}
