variable "name" {
  type        = string
  description = "Name prefix of the topic and every alarm."
}

variable "alarms" {
  type        = bool
  description = "Create the alarms; false keeps only the topic and its key (the emulator stores alarms incompletely, so every later plan would show drift)."
  default     = true
}

variable "alarm_emails" {
  type        = list(string)
  description = "Addresses subscribed to the alarm topic (each must confirm by email)."
  default     = []
}

variable "api_id" {
  type        = string
  description = "HTTP API whose 5xx and latency are watched."
}

variable "api_stage" {
  type        = string
  description = "Stage of the HTTP API."
  default     = "$default"
}

variable "function_names" {
  type        = map(string)
  description = "Lambda functions by key; each gets an errors and a throttles alarm."
}

variable "table_name" {
  type        = string
  description = "DynamoDB table whose read and write throttles are watched."
}

variable "dlq_name" {
  type        = string
  description = "Dead-letter queue of the reminder schedules; any message in it alarms. Null = no alarm."
  default     = null
}

variable "api_5xx_threshold" {
  type        = number
  description = "5xx responses per period that alarm."
  default     = 5
}

variable "api_p99_latency_ms" {
  type        = number
  description = "p99 latency (ms) that alarms when exceeded for the evaluation periods."
  default     = 2000
}

variable "lambda_errors_threshold" {
  type        = number
  description = "Errors of one function per period that alarm."
  default     = 1
}

variable "period_seconds" {
  type        = number
  description = "Period of every alarm."
  default     = 300
}

variable "evaluation_periods" {
  type        = number
  description = "Periods evaluated (and all breaching) before an alarm fires."
  default     = 1
}

variable "failure_queue_names" {
  type        = map(string)
  description = "On-failure destination queues (asynchronously invoked functions, stream consumers), by function key; any message in one alarms."
  default     = {}
}

variable "stream_consumers" {
  type        = map(string)
  description = "Functions fed by an event source mapping from a stream, by key: each gets an IteratorAge alarm."
  default     = {}
}

variable "iterator_age_ms" {
  type        = number
  description = "IteratorAge (ms: the age of the last record a stream consumer got) above which it alarms."
  default     = 300000
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to the topic and the alarms."
  default     = {}
}
