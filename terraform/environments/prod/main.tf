locals {
  environment = "prod"
  name_prefix = "kefir-${local.environment}"
  tags        = { Project = "kefir", Environment = local.environment }
}

module "stack" {
  source = "../../modules/stack"

  name_prefix            = local.name_prefix
  app_env                = local.environment
  image_tag              = var.image_tag
  public_base_url        = "https://${var.domain_name}"
  cors_allow_origins     = var.cors_allow_origins
  log_retention_days     = var.log_retention_days
  reserved_concurrency   = var.reserved_concurrency
  throttling_burst_limit = var.throttling_burst_limit
  throttling_rate_limit  = var.throttling_rate_limit
  alarm_emails           = var.alarm_emails
  app_settings           = var.app_settings
  ses_identity_arn       = var.ses_identity_arn
  from_email_address     = var.from_email_address
  # The table refuses deletion; the image repository keeps its images on destroy.
  deletion_protection = true
}

module "edge" {
  source = "../../modules/edge"
  providers = {
    aws = aws.us_east_1
  }

  name                = local.name_prefix
  domain_name         = var.domain_name
  api_endpoint        = module.stack.api_endpoint
  acm_certificate_arn = var.acm_certificate_arn
  route53_zone_id     = var.route53_zone_id
  log_retention_days  = var.log_retention_days
}
