output "group_name" {
  description = "Name of the reminders schedule group."
  value       = aws_scheduler_schedule_group.this.name
}

output "group_arn" {
  description = "ARN of the reminders schedule group."
  value       = aws_scheduler_schedule_group.this.arn
}

output "role_arn" {
  description = "Role the scheduler assumes to invoke the reminders function (passed by whoever creates schedules)."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of that role."
  value       = aws_iam_role.this.name
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue for undelivered reminder events."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_name" {
  description = "Name of the dead-letter queue (for alarms on its depth)."
  value       = aws_sqs_queue.dlq.name
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dlq.url
}

output "silence_check_schedule_name" {
  description = "Name of the silence check's recurring schedule (default group); null without one."
  value       = one(aws_scheduler_schedule.silence_check[*].name)
}
