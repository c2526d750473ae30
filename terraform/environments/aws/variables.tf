variable "environment" {
  type        = string
  description = "Which environment this state is: dev or prod (names every resource kefir-<environment>-…)."

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "region" {
  type        = string
  description = "AWS region of the stack (the edge's web ACL is always in us-east-1)."
  default     = "eu-central-1"
}

variable "image_tag" {
  type        = string
  description = "Image tag in the stack's ECR repository to run (the deploy pipeline passes the commit SHA)."
}

variable "domain_name" {
  type        = string
  description = "Public domain of this environment, e.g. bubblebatch.com (prod) or dev.bubblebatch.com."
}

variable "acm_certificate_arn" {
  type        = string
  description = "ACM certificate in us-east-1 covering domain_name."
}

variable "api_certificate_arn" {
  type        = string
  description = "ACM certificate in the stack's region covering domain_name, for the API's custom domain (the edge's origin); the same as acm_certificate_arn when the region is us-east-1."
}

variable "route53_zone_id" {
  type        = string
  description = "Route 53 hosted zone that holds domain_name."
}

variable "cors_allow_origins" {
  type        = list(string)
  description = "The app's web origins allowed by CORS."
  default     = []
}

variable "log_retention_days" {
  type        = number
  description = "Retention of every log group, in days (14 dev, 30 prod)."
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the table and user pool from deletion, version the bucket, keep the images on destroy (prod)."
}

variable "reserved_concurrency" {
  type        = map(number)
  description = "Reserved concurrency by function key (api, public, export, reminders); absent = unreserved."
  default     = {}
}

variable "throttling_burst_limit" {
  type        = number
  description = "Default route throttling burst limit of the HTTP API."
  default     = 1000
}

variable "throttling_rate_limit" {
  type        = number
  description = "Default route throttling rate limit of the HTTP API (requests per second)."
  default     = 1000
}

variable "alarm_emails" {
  type        = list(string)
  description = "Addresses that receive the alarms."
  default     = []
}

variable "app_settings" {
  type        = map(string)
  description = "Further app settings for every function (LOG_LEVEL…)."
  default     = {}
}

variable "ses_identity_arn" {
  type        = string
  description = "Verified SES identity that sends the sign-in codes; null = Cognito's default sender (low daily quota, fine for dev)."
  default     = null
}

variable "from_email_address" {
  type        = string
  description = "FROM address of the sign-in codes, used with ses_identity_arn."
  default     = null
}

variable "apple_app_id" {
  type        = string
  description = "The iOS app's <Team ID>.<bundle id>, for universal links (/.well-known/apple-app-site-association); null = that file answers 404."
  default     = null
}

variable "android_package" {
  type        = string
  description = "The Android app's package name, for app links (/.well-known/assetlinks.json); null = that file answers 404."
  default     = null
}

variable "android_cert_fingerprints" {
  type        = list(string)
  description = "SHA-256 fingerprints of the Android app's signing certificates (Play App Signing's and the upload key's), AA:BB:… form."
  default     = []
}
