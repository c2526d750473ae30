variable "aws_endpoint" {
  type        = string
  description = "Endpoint of the AWS emulator for every service, e.g. http://127.0.0.1:4566."
}

variable "lambda_zip_path" {
  type        = string
  description = "Path to the built Lambda deployment zip."
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name."
  default     = "kefir-local"
}

variable "region" {
  type        = string
  description = "AWS region the emulator pretends to be."
  default     = "us-east-1"
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the functions' log groups, in days."
  default     = 14
}

variable "extra_environment" {
  type        = map(string)
  description = "Extra environment variables for every function; wins over the defaults."
  default     = {}
}

variable "cors_allow_origins" {
  type        = list(string)
  description = "Origins of the app allowed by CORS (e.g. Expo's web dev server)."
  default     = ["http://localhost:8081"]
}

variable "edge_enabled" {
  type        = bool
  description = "Create the edge (CloudFront, WAF, DNS); off locally, where there is no domain or CloudFront."
  default     = false
}
