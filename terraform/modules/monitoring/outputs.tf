output "topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = aws_sns_topic.this.arn
}

output "alarm_names" {
  description = "Names of every alarm."
  value = concat(
    aws_cloudwatch_metric_alarm.api_5xx[*].alarm_name,
    aws_cloudwatch_metric_alarm.api_p99_latency[*].alarm_name,
    [for alarm in aws_cloudwatch_metric_alarm.lambda_errors : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.lambda_throttles : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.dynamodb_throttles : alarm.alarm_name],
    aws_cloudwatch_metric_alarm.dlq_depth[*].alarm_name,
    [for alarm in aws_cloudwatch_metric_alarm.async_failures : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.iterator_age : alarm.alarm_name],
  )
}

output "kms_key_arn" {
  description = "Customer managed key of the alarm topic (CloudWatch may use it)."
  value       = aws_kms_key.alarms.arn
}
