variable "name" {
  type        = string
  description = "Name of the DynamoDB table."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to the table."
  default     = {}
}

variable "deletion_protection" {
  type        = bool
  description = "Enable DynamoDB deletion protection on the table."
  default     = false
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of a customer managed KMS key for server-side encryption; null uses the AWS owned key."
  default     = null
}
