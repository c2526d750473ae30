variable "name" {
  type        = string
  description = "Prefix of the group (\"<name>-reminders\"), the role (\"<name>-scheduler\") and the queue (\"<name>-reminders-dlq\")."
}

variable "reminders_function_arn" {
  type        = string
  description = "ARN of the reminders function, the only thing the scheduler's role may invoke. Pass it built from the function's name to avoid a cycle (the function's environment needs this module's outputs)."
}

variable "silence_check" {
  type = object({
    function_arn        = string
    schedule_expression = string
    enabled             = optional(bool, true)
  })
  description = "The alerts function (its ARN, built from its name as reminders_function_arn is) and how often a recurring schedule invokes it to look for silent sensors; the role may invoke it too. Null: no such schedule."
  default     = null
}

variable "dlq_retention_seconds" {
  type        = number
  description = "How long an undelivered reminder event stays in the dead-letter queue."
  default     = 1209600
}

variable "kms_master_key_id" {
  type        = string
  description = "KMS key of the dead-letter queue; null uses SQS-managed encryption (SSE-SQS)."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to the group, the role and the queue."
  default     = {}
}
