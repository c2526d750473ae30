variable "name" {
  type        = string
  description = "Name of the user pool; the app client is named \"<name>-app\"."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to the user pool."
  default     = {}
}

variable "user_pool_tier" {
  type        = string
  description = "Feature plan of the user pool (LITE, ESSENTIALS or PLUS); choice-based sign-in (ALLOW_USER_AUTH) needs ESSENTIALS or PLUS."
  default     = "ESSENTIALS"
}

variable "allowed_first_auth_factors" {
  type        = list(string)
  description = "First factors for choice-based sign-in (USER_AUTH). EMAIL_OTP also needs the pool to send email through SES."
  default     = ["PASSWORD", "EMAIL_OTP"]
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the user pool (on in prod)."
  default     = false
}

variable "ses_identity_arn" {
  type        = string
  description = "ARN of a verified SES identity to send sign-in codes from; null uses Cognito's default sender (dev)."
  default     = null
}

variable "from_email_address" {
  type        = string
  description = "FROM address for sign-in codes sent through SES, e.g. \"Kefir <no-reply@example.com>\"; used only with ses_identity_arn."
  default     = null
}

variable "explicit_auth_flows" {
  type        = list(string)
  description = "Auth flows the public app client allows. Local environments add ALLOW_ADMIN_USER_PASSWORD_AUTH (the emulator cannot send email OTP)."
  default     = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
}

variable "access_token_validity_minutes" {
  type        = number
  description = "Access token validity in minutes."
  default     = 60
}

variable "id_token_validity_minutes" {
  type        = number
  description = "ID token validity in minutes."
  default     = 60
}

variable "refresh_token_validity_days" {
  type        = number
  description = "Refresh token validity in days."
  default     = 30
}
