variable "name" {
  type        = string
  description = "Name of the HTTP API."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to the API and its stage."
  default     = {}
}

variable "function_name" {
  type        = string
  description = "Name of the Lambda function every route integrates with."
}

variable "invoke_arn" {
  type        = string
  description = "Invoke ARN of that Lambda function."
}

variable "jwt_issuer" {
  type        = string
  description = "Issuer the JWT authorizer accepts, e.g. https://cognito-idp.<region>.amazonaws.com/<pool id>."
}

variable "jwt_audience" {
  type        = string
  description = "Cognito app client id the JWT authorizer accepts (client_id of access tokens, aud of ID tokens)."
}

variable "authenticated_routes" {
  type        = list(string)
  description = "Route keys guarded by the JWT authorizer."
  default     = ["ANY /{proxy+}"]
}

variable "public_routes" {
  type        = list(string)
  description = "Route keys open without a token."
  default     = ["GET /health"]
}

variable "cors_allow_origins" {
  type        = list(string)
  description = "Origins allowed by CORS; empty = no CORS configuration."
  default     = []
}

variable "throttling_burst_limit" {
  type        = number
  description = "Default route throttling burst limit of the $default stage."
  default     = 1000
}

variable "throttling_rate_limit" {
  type        = number
  description = "Default route throttling rate limit (requests per second) of the $default stage."
  default     = 1000
}
