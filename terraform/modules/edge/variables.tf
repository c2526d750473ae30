variable "enabled" {
  type        = bool
  description = "Create the distribution, web ACL and DNS records; false in the local environment (no CloudFront there)."
  default     = true
}

variable "name" {
  type        = string
  description = "Name prefix of the web ACL, its metrics and the cache policies."
}

variable "domain_name" {
  type        = string
  description = "Public domain served by the distribution, e.g. bubblebatch.com (public pages at <domain>/b/<batchId>)."
  default     = null
}

variable "origin_domain_name" {
  type        = string
  description = "The distribution's origin: the regional target (d-….execute-api.<region>.amazonaws.com) of the API's custom domain named domain_name."
  default     = null
}

variable "acm_certificate_arn" {
  type        = string
  description = "ACM certificate (in us-east-1) covering domain_name."
  default     = null
}

variable "route53_zone_id" {
  type        = string
  description = "Route 53 hosted zone of domain_name; A and AAAA alias records are created in it."
  default     = null
}

variable "public_cache_seconds" {
  type        = number
  description = "Default TTL of the public pages (/b/*, /c/*, /public/*, /.well-known/*) at the edge; authenticated routes are never cached."
  default     = 60
}

variable "public_cache_max_seconds" {
  type        = number
  description = "Upper bound on the public pages' TTL, whatever Cache-Control says."
  default     = 300
}

variable "per_user_requests_per_second" {
  type        = number
  description = "Per-user limit (requests per second, aggregated on the Authorization header), averaged over the evaluation window; keep it well below the API stage's rate limit."
  default     = 20
}

variable "per_ip_requests_per_second" {
  type        = number
  description = "Per-IP limit on every path (requests per second over the window); above the per-user one, as one address may carry many people (carrier NAT)."
  default     = 100
}

variable "expensive_routes" {
  type        = list(object({ method = string, path = string }))
  description = "The expensive routes (method and exact path), limited per user by expensive_requests_per_user; at least two (WAF's OR takes two or more)."
  default = [
    { method = "GET", path = "/export.csv" },
    { method = "DELETE", path = "/me" },
  ]
}

variable "expensive_requests_per_user" {
  type        = number
  description = "Requests per user to the expensive paths per expensive_window_seconds (WAF's smallest limit is 10)."
  default     = 10
}

variable "expensive_window_seconds" {
  type        = number
  description = "Evaluation window of the expensive-route rule: 60, 120, 300 or 600 seconds."
  default     = 300
}

variable "public_requests_per_ip" {
  type        = number
  description = "Per-IP limit on the public routes, requests per evaluation window."
  default     = 3000
}

variable "ingest_requests_per_path" {
  type        = number
  description = "Requests per ingest URL (/ingest/<token>, so per sensor) or per X-API-KEY on /ingest, per evaluation window; above the app's 30 readings a sensor-minute, so the app's 429 comes first for a device that merely posts too fast."
  default     = 120
}

variable "rate_window_seconds" {
  type        = number
  description = "Evaluation window of the rate-based rules: 60, 120, 300 or 600 seconds."
  default     = 60

  validation {
    condition     = contains([60, 120, 300, 600], var.rate_window_seconds)
    error_message = "rate_window_seconds must be 60, 120, 300 or 600."
  }
}

variable "price_class" {
  type        = string
  description = "CloudFront price class."
  default     = "PriceClass_100"
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the web ACL's log group, in days."
  default     = 14
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to the distribution, the web ACL and the log group."
  default     = {}
}
