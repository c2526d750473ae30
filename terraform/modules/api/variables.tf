variable "name" {
  type        = string
  description = "Name of the HTTP API (and of its access log group, /aws/apigateway/<name>)."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to the API, its stage and its log group."
  default     = {}
}

variable "functions" {
  type = map(object({
    function_name = string
    invoke_arn    = string
  }))
  description = "Functions that serve routes, by key (the functions module's http_functions output)."
}

variable "routes" {
  type = map(object({
    function   = string
    authorized = bool
  }))
  description = "Route key => the function key that serves it and whether the JWT authorizer guards it (the functions module's routes output)."

  validation {
    condition     = length(var.routes) > 0
    error_message = "An API without routes serves nothing."
  }
}

variable "jwt_issuer" {
  type        = string
  description = "Issuer the JWT authorizer accepts, e.g. https://cognito-idp.<region>.amazonaws.com/<pool id>."
}

variable "jwt_audience" {
  type        = string
  description = "Cognito app client id the JWT authorizer accepts (client_id of access tokens, aud of ID tokens)."
}

variable "cors_allow_origins" {
  type        = list(string)
  description = "The app's origins, allowed by CORS; empty = no CORS configuration (native apps need none)."
  default     = []

  validation {
    condition     = !contains(var.cors_allow_origins, "*")
    error_message = "CORS is for the app's origins only, never \"*\"."
  }
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

variable "log_retention_days" {
  type        = number
  description = "Retention of the JSON access log group, in days."
  default     = 14
}

variable "route_throttling" {
  type = map(object({
    burst_limit = number
    rate_limit  = number
  }))
  description = "Throttling of single routes by route key (e.g. \"GET /export.csv\"), below the stage's default; for all callers together."
  default     = {}
}

variable "custom_domain" {
  type = object({
    name            = string
    certificate_arn = string
  })
  description = "A regional custom domain (its ACM certificate in the API's region) that the edge reaches the API by; when set, the default execute-api endpoint is disabled. Null: the default endpoint serves (the emulator)."
  default     = null
}
