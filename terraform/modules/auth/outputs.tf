output "user_pool_id" {
  description = "ID of the user pool."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "ARN of the user pool."
  value       = aws_cognito_user_pool.this.arn
}

output "client_id" {
  description = "ID of the public app client (no secret)."
  value       = aws_cognito_user_pool_client.this.id
}

output "issuer_url" {
  description = "Token issuer, https://cognito-idp.<region>.amazonaws.com/<pool id>."
  value       = local.issuer_url
}

output "jwks_url" {
  description = "JWKS URL of the issuer (real AWS form; an emulator may serve it elsewhere)."
  value       = "${local.issuer_url}/.well-known/jwks.json"
}
