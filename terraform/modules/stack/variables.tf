variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name, e.g. kefir-dev."
}

variable "app_env" {
  type        = string
  description = "APP_ENV of the functions: dev or prod."

  validation {
    condition     = contains(["dev", "prod"], var.app_env)
    error_message = "app_env must be dev or prod."
  }
}

variable "image_tag" {
  type        = string
  description = "Tag of the image in the stack's ECR repository every function runs (the deploy pipeline passes the commit)."
}

variable "public_base_url" {
  type        = string
  description = "Base URL of the public pages and QR codes, https://<domain>."
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
  description = "Default route throttling rate limit (requests per second) of the HTTP API."
  default     = 1000
}

variable "deletion_protection" {
  type        = bool
  description = "DynamoDB deletion protection (and no force-delete of the image repository)."
  default     = true
}

variable "alarm_emails" {
  type        = list(string)
  description = "Addresses that receive the alarms."
  default     = []
}

variable "app_settings" {
  type        = map(string)
  description = "Further app settings for every function (APP_SCHEME, APPLE_APP_ID, ANDROID_PACKAGE, ANDROID_CERT_FINGERPRINTS, LOG_LEVEL…)."
  default     = {}
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource that takes them."
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
