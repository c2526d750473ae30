variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name, e.g. kefir-dev."
}

variable "app_env" {
  type        = string
  description = "APP_ENV of the functions: local, dev or prod."

  validation {
    condition     = contains(["local", "dev", "prod"], var.app_env)
    error_message = "app_env must be local, dev or prod."
  }
}

variable "package_type" {
  type        = string
  description = "How the functions are packaged: \"Image\" (an ECR repository, image_tag; AWS) or \"Zip\" (zip_path; the emulator, which runs no containers)."
  default     = "Image"
}

variable "image_tag" {
  type        = string
  description = "Tag of the image in the stack's ECR repository every function runs (package_type = \"Image\"; the deploy pipeline passes the commit)."
  default     = null
}

variable "zip_path" {
  type        = string
  description = "Path to the built deployment zip (package_type = \"Zip\")."
  default     = null
}

variable "handlers" {
  type        = map(string)
  description = "Entry point of each function by key (the Zip handler, the Image CMD). Every key of the stack's function map needs one."
  default = {
    api       = "app.entrypoints.api.handler"
    public    = "app.entrypoints.public.handler"
    export    = "app.entrypoints.export.handler"
    ingest    = "app.entrypoints.ingest.handler"
    reminders = "app.entrypoints.reminders.handler"
    alerts    = "app.entrypoints.alerts.handler"
  }
}

variable "silence_check_schedule" {
  type        = string
  description = "How often the alerts function looks for silent sensors (a Scheduler rate or cron expression). A sensor is offline after 3 of its intervals (15 min by default), so every 5 minutes is soon enough."
  default     = "rate(5 minutes)"
}

variable "silence_check_enabled" {
  type        = bool
  description = "Whether the silence check's schedule is enabled (it always exists)."
  default     = true
}

variable "readings_feed_enabled" {
  type        = bool
  description = "Whether the event source mapping from the table's stream to the alerts function is enabled (it always exists): off, ingested readings wait in the stream (24 h) unapplied."
  default     = true
}

variable "aws_endpoint" {
  type        = string
  description = "Endpoint of an AWS emulator, e.g. http://127.0.0.1:4566; the functions get it as AWS_ENDPOINT_URL with the JWKS URL it serves. Null in AWS."
  default     = null
}

variable "admin_password_auth" {
  type        = bool
  description = "Allow ADMIN_USER_PASSWORD_AUTH on the app client: the emulator cannot send email codes, so `make token` signs in with an admin flow."
  default     = false
}

variable "tracing" {
  type        = bool
  description = "X-Ray active tracing of the functions; off where no X-Ray daemon runs (the emulator)."
  default     = true
}

variable "alarms" {
  type        = bool
  description = "Create the CloudWatch alarms (the topic and its key are always made); off in the emulator, which stores alarms incompletely."
  default     = true
}

variable "edge" {
  type = object({
    enabled             = bool
    domain_name         = optional(string)
    acm_certificate_arn = optional(string)
    api_certificate_arn = optional(string)
    route53_zone_id     = optional(string)
  })
  description = "The public domain in front of the API (CloudFront, WAF, DNS): the domain, its us-east-1 certificate (CloudFront), its certificate in the stack's region (the API's custom domain of the same name, the edge's origin; the default execute-api endpoint is off) and its Route 53 zone. Disabled where there is no CloudFront (the emulator); the API is reached at its own endpoint then."
  default     = { enabled = false }
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

variable "route_throttling" {
  type = map(object({
    burst_limit = number
    rate_limit  = number
  }))
  description = "Stage throttling of the expensive routes, for all callers together (per user, the edge's WAF limits them further)."
  default = {
    "GET /export.csv" = { burst_limit = 10, rate_limit = 5 }
    "ANY /export.csv" = { burst_limit = 10, rate_limit = 5 }
    "DELETE /me"      = { burst_limit = 10, rate_limit = 5 }
    # Per path for all devices together; the app's hard cap per sensor and minute is
    # the second line (429 with Retry-After).
    "POST /ingest/{token}" = { burst_limit = 200, rate_limit = 100 }
    "POST /ingest"         = { burst_limit = 50, rate_limit = 25 }
    "ANY /ingest/{token}"  = { burst_limit = 50, rate_limit = 25 }
    "ANY /ingest"          = { burst_limit = 50, rate_limit = 25 }
  }
}

variable "deletion_protection" {
  type        = bool
  description = "DynamoDB and user pool deletion protection, a versioned bucket, and no force-delete of the bucket or the image repository."
  default     = true
}

variable "alarm_emails" {
  type        = list(string)
  description = "Addresses that receive the alarms."
  default     = []
}

variable "app_settings" {
  type        = map(string)
  description = "Further app settings for every function (EXPO_PUSH_URL, APP_SCHEME, APPLE_APP_ID, ANDROID_PACKAGE, ANDROID_CERT_FINGERPRINTS, LOG_LEVEL…); they win over the stack's."
  default     = {}
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource that takes them (on top of the provider's default tags)."
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

variable "app_links" {
  type = object({
    apple_app_id              = optional(string)
    android_package           = optional(string)
    android_cert_fingerprints = optional(list(string), [])
  })
  description = "The app's ids for iOS universal links (<Team ID>.<bundle id>) and Android app links (package and SHA-256 signing-certificate fingerprints), served under /.well-known; unset, those answer 404."
  default     = {}

  validation {
    condition     = var.app_links.apple_app_id == null || can(regex("^[A-Z0-9]{10}\\.[A-Za-z0-9.-]+$", var.app_links.apple_app_id))
    error_message = "apple_app_id is <10-character Team ID>.<bundle id>, e.g. ABCDE12345.app.kefir."
  }

  validation {
    condition     = alltrue([for f in var.app_links.android_cert_fingerprints : can(regex("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", f))])
    error_message = "Each android_cert_fingerprints entry is a SHA-256 fingerprint: 32 upper-case hex pairs joined by colons."
  }

  validation {
    condition     = (var.app_links.android_package == null) == (length(var.app_links.android_cert_fingerprints) == 0)
    error_message = "android_package and android_cert_fingerprints go together: Android checks the package's signing certificate."
  }
}
