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
