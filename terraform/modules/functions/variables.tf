variable "name_prefix" {
  type        = string
  description = "Prefix of every function, role, log group and repository name: \"<name_prefix>-<key>\"."
}

variable "functions" {
  type = map(object({
    description          = optional(string, "")
    handler              = string
    image_command        = optional(list(string))
    memory_mb            = number
    timeout_s            = number
    reserved_concurrency = optional(number)
    environment          = optional(map(string), {})

    routes        = optional(list(string), [])
    public_routes = optional(list(string), [])

    dynamodb_table_actions = optional(list(string), [])
    dynamodb_index_actions = optional(map(list(string)), {})
    dynamodb_key_grants = optional(list(object({
      leading_keys      = list(string)
      actions           = list(string)
      transactions_only = optional(bool, false)
    })), [])
    s3_grants             = optional(list(object({ prefix = string, actions = list(string), list = optional(bool, false) })), [])
    manages_schedules     = optional(bool, false)
    cognito_account_admin = optional(bool, false)

    async_failure_queue   = optional(bool, false)
    async_retry_attempts  = optional(number, 2)
    async_max_event_age_s = optional(number, 21600)

    table_stream = optional(object({
      enabled           = optional(bool, true)
      filter_patterns   = optional(list(string), [])
      starting_position = optional(string, "LATEST")
      batch_size        = optional(number, 100)
      batching_window_s = optional(number, 1)
      retry_attempts    = optional(number, 10)
      max_record_age_s  = optional(number, 21600)
    }))
  }))
  description = <<-EOT
    Every function by key, one entry each, so moving a route or a permission is one line:
    - handler: "module.attribute" the Zip runtime calls; image_command (default [handler]) is the image's CMD override.
    - memory_mb, timeout_s, reserved_concurrency (null = unreserved), environment (merged over the shared one).
    - routes: HTTP API route keys behind the JWT authorizer; public_routes: route keys open without a token.
    - dynamodb_table_actions ("Query" or "dynamodb:Query") on the table; dynamodb_index_actions on named indexes only.
    - dynamodb_key_grants: actions on the table's items whose partition keys all match leading_keys (dynamodb:LeadingKeys,
      e.g. "READINGS#*"); transactions_only = true allows them only inside TransactWriteItems (dynamodb:EnclosingOperation).
    - s3_grants: actions on "<bucket>/<prefix>*" of the bucket (bucket_arn); list = true adds s3:ListBucket limited to that prefix.
    - manages_schedules: Create/Update/Delete/GetSchedule in schedule_group_name plus iam:PassRole of scheduler_role_arn.
    - cognito_account_admin: cognito-idp:AdminGetUser and AdminDeleteUser on user_pool_arn (profile email, account deletion).
    - async_failure_queue: for functions invoked asynchronously, a queue "<name_prefix>-<key>-failed" that gets every event
      still failing after async_retry_attempts retries or older than async_max_event_age_s (the on-failure destination).
    - table_stream: the function consumes the table's stream (table_stream_arn) through an event source mapping:
      enabled, filter_patterns (Lambda filter patterns, JSON strings, ORed; empty = every record), starting_position,
      batch_size, batching_window_s (MaximumBatchingWindowInSeconds), retry_attempts and max_record_age_s (then the
      batch's stream position goes to the function's "<name_prefix>-<key>-failed" queue). A failing batch is bisected
      and retried whole (the consumer must be idempotent). Its role may read that stream only.
  EOT

  validation {
    condition = length(flatten([for fn in var.functions : concat(fn.routes, fn.public_routes)])) == length(distinct(flatten([
      for fn in var.functions : concat(fn.routes, fn.public_routes)
    ])))
    error_message = "A route key may belong to one function only."
  }

  validation {
    # API Gateway HTTP APIs give up on an integration after 30 s: a longer function would
    # go on working (and writing) after the client got a 503.
    condition     = alltrue([for fn in var.functions : fn.timeout_s <= 29 if length(fn.routes) + length(fn.public_routes) > 0])
    error_message = "A function that serves routes must time out within 29 s (the HTTP API's integration limit is 30 s)."
  }

  validation {
    condition     = alltrue([for key, _ in var.functions : can(regex("^[a-z][a-z0-9-]{0,30}$", key))])
    error_message = "Function keys are lower-case words (a-z, 0-9, -), at most 31 characters."
  }
}

variable "package_type" {
  type        = string
  description = "Lambda package type of all functions: \"Zip\" (zip_path, no repository) or \"Image\" (an ECR repository and image_tag, arm64)."
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

variable "image_tag" {
  type        = string
  description = "Tag of the image in this module's ECR repository that every function runs (package_type = \"Image\"), e.g. the git commit."
  default     = null
}

variable "ecr_keep_images" {
  type        = number
  description = "How many images the ECR lifecycle policy keeps; older ones expire."
  default     = 20
}

variable "ecr_force_delete" {
  type        = bool
  description = "Let destroy delete the repository with its images (dev); keep false in prod."
  default     = false
}

variable "environment" {
  type        = map(string)
  description = "Environment shared by all functions; each function's own environment wins on conflicts."
  default     = {}
}

variable "table_arn" {
  type        = string
  description = "ARN of the DynamoDB table that dynamodb_table_actions apply to (dynamodb_index_actions: \"<arn>/index/<name>\")."
}

variable "table_stream_arn" {
  type        = string
  description = "ARN of the table's stream that functions with table_stream consume (and only they may read); null when none does."
  default     = null
}

variable "bucket_arn" {
  type        = string
  description = "ARN of the bucket s3_grants apply to; null when no function has S3 grants."
  default     = null
}

variable "schedule_group_name" {
  type        = string
  description = "EventBridge Scheduler group that functions with manages_schedules may change."
  default     = null
}

variable "scheduler_role_arn" {
  type        = string
  description = "Role the scheduler assumes to invoke the reminders function; functions with manages_schedules may pass it."
  default     = null
}

variable "user_pool_arn" {
  type        = string
  description = "Cognito user pool for cognito_account_admin."
  default     = null
}

variable "log_retention_days" {
  type        = number
  description = "Retention of each function's log group, in days."
  default     = 14
}

variable "tracing_mode" {
  type        = string
  description = "X-Ray tracing mode of every function: \"Active\" or \"PassThrough\"."
  default     = "Active"
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to functions, roles, log groups and the repository."
  default     = {}
}
