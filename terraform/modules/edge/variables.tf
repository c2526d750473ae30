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

variable "api_endpoint" {
  type        = string
  description = "Endpoint of the HTTP API, https://<id>.execute-api.<region>.amazonaws.com, the distribution's origin."
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
  description = "Per-user limit (requests per second, aggregated on the Authorization header), averaged over the evaluation window."
  default     = 1000
}

variable "public_requests_per_ip" {
  type        = number
  description = "Per-IP limit on the public routes, requests per evaluation window."
  default     = 3000
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
