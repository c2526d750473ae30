# dev and prod: one root, a tfvars file and a state key per environment (README).
locals {
  tags = { Project = "kefir", Environment = var.environment }
}

module "stack" {
  source = "../../modules/stack"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name_prefix            = "kefir-${var.environment}"
  app_env                = var.environment
  package_type           = "Image"
  image_tag              = var.image_tag
  cors_allow_origins     = var.cors_allow_origins
  log_retention_days     = var.log_retention_days
  reserved_concurrency   = var.reserved_concurrency
  throttling_burst_limit = var.throttling_burst_limit
  throttling_rate_limit  = var.throttling_rate_limit
  alarm_emails           = var.alarm_emails
  app_settings           = var.app_settings
  app_links = {
    apple_app_id              = var.apple_app_id
    android_package           = var.android_package
    android_cert_fingerprints = var.android_cert_fingerprints
  }
  ses_identity_arn    = var.ses_identity_arn
  from_email_address  = var.from_email_address
  deletion_protection = var.deletion_protection

  edge = {
    enabled             = true
    domain_name         = var.domain_name
    acm_certificate_arn = var.acm_certificate_arn
    api_certificate_arn = var.api_certificate_arn
    route53_zone_id     = var.route53_zone_id
  }
}

# The edge was called beside the stack in environments/dev and prod.
moved {
  from = module.edge
  to   = module.stack.module.edge
}
