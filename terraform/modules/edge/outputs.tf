output "distribution_id" {
  description = "CloudFront distribution id (null when disabled)."
  value       = one(aws_cloudfront_distribution.this[*].id)
}

output "distribution_domain_name" {
  description = "CloudFront domain name, <id>.cloudfront.net (null when disabled)."
  value       = one(aws_cloudfront_distribution.this[*].domain_name)
}

output "web_acl_arn" {
  description = "ARN of the web ACL (null when disabled)."
  value       = one(aws_wafv2_web_acl.this[*].arn)
}

output "public_base_url" {
  description = "https://<domain_name> (null when disabled)."
  value       = var.enabled ? "https://${var.domain_name}" : null
}
