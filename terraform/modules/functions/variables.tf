variable "name_prefix" {
  type        = string
  description = "Prefix of every function, role and log group name: \"<name_prefix>-<key>\"."
}

variable "functions" {
  type = map(object({
    handler              = string
    image_command        = list(string)
    memory_mb            = number
    timeout_s            = number
    environment          = optional(map(string), {})
    dynamodb_actions     = list(string)
    reserved_concurrency = optional(number)
  }))
  description = "Functions by key. handler is used for Zip, image_command for Image; dynamodb_actions (\"GetItem\" or \"dynamodb:GetItem\") are granted on the table and its indexes; reserved_concurrency null = unreserved."
}

variable "package_type" {
  type        = string
  description = "Lambda package type of all functions: \"Zip\" (zip_path) or \"Image\" (image_uri)."
  default     = "Zip"

  validation {
    condition     = contains(["Zip", "Image"], var.package_type)
    error_message = "package_type must be \"Zip\" or \"Image\"."
  }
}

variable "zip_path" {
  type        = string
  description = "Path to the built deployment zip (package_type = \"Zip\")."
  default     = null
}

variable "runtime" {
  type        = string
  description = "Lambda runtime for Zip functions."
  default     = "python3.11"
}

variable "image_uri" {
  type        = string
  description = "Container image URI (package_type = \"Image\"); functions run on arm64."
  default     = null
}

variable "environment" {
  type        = map(string)
  description = "Environment shared by all functions; each function's own environment wins on conflicts."
  default     = {}
}

variable "table_arn" {
  type        = string
  description = "ARN of the DynamoDB table the functions' dynamodb_actions apply to (with \"<arn>/index/*\")."
}

variable "log_retention_days" {
  type        = number
  description = "Retention of each function's log group, in days."
  default     = 14
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to functions, roles and log groups."
  default     = {}
}
