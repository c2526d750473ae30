locals {
  topic = [aws_sns_topic.this.arn]
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# The topic's own key: CloudWatch publishes alarms to an encrypted topic only if the key
# policy lets cloudwatch.amazonaws.com use it, which the AWS managed alias/aws/sns key's
# policy never does (see README).
data "aws_iam_policy_document" "alarm_key" {
  # checkov:skip=CKV_AWS_109:A key policy names its own key as "*"; the account's IAM administers it, as AWS's default key policy does.
  # checkov:skip=CKV_AWS_111:A key policy names its own key as "*"; only the account itself and the two services below are principals.
  # checkov:skip=CKV_AWS_356:A key policy's Resource "*" is the key itself.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  # Alarm notifications: CloudWatch needs a data key to publish to the encrypted topic.
  statement {
    sid       = "CloudWatchPublishesAlarms"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "alarms" {
  description             = "${var.name}: alarm topic, usable by CloudWatch"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.alarm_key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "alarms" {
  name          = "alias/${var.name}-alarms"
  target_key_id = aws_kms_key.alarms.key_id
}

resource "aws_sns_topic" "this" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.alarms.arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.key
}

# --- API ---------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  count = var.alarms ? 1 : 0

  alarm_name          = "${var.name}-api-5xx"
  alarm_description   = "The HTTP API answered 5xx: a function failed or timed out."
  namespace           = "AWS/ApiGateway"
  metric_name         = "5xx"
  dimensions          = { ApiId = var.api_id, Stage = var.api_stage }
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = var.evaluation_periods
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.api_5xx_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic
  ok_actions          = local.topic
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_p99_latency" {
  count = var.alarms ? 1 : 0

  alarm_name          = "${var.name}-api-p99-latency"
  alarm_description   = "p99 latency of the HTTP API above ${var.api_p99_latency_ms} ms."
  namespace           = "AWS/ApiGateway"
  metric_name         = "Latency"
  dimensions          = { ApiId = var.api_id, Stage = var.api_stage }
  extended_statistic  = "p99"
  period              = var.period_seconds
  evaluation_periods  = var.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.api_p99_latency_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic
  ok_actions          = local.topic
  tags                = var.tags
}

# --- Lambda, per function ----------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = var.alarms ? var.function_names : {}

  alarm_name          = "${var.name}-${each.key}-errors"
  alarm_description   = "Function ${each.value} raised errors."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = var.evaluation_periods
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.lambda_errors_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic
  ok_actions          = local.topic
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = var.alarms ? var.function_names : {}

  alarm_name          = "${var.name}-${each.key}-throttles"
  alarm_description   = "Function ${each.value} was throttled (reserved or account concurrency reached)."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = var.evaluation_periods
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic
  ok_actions          = local.topic
  tags                = var.tags
}

# --- DynamoDB ------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  for_each = toset(var.alarms ? ["ReadThrottleEvents", "WriteThrottleEvents"] : [])

  alarm_name          = "${var.name}-dynamodb-${lower(trimsuffix(each.key, "ThrottleEvents"))}-throttles"
  alarm_description   = "DynamoDB throttled ${lower(trimsuffix(each.key, "ThrottleEvents"))}s on ${var.table_name}."
  namespace           = "AWS/DynamoDB"
  metric_name         = each.key
  dimensions          = { TableName = var.table_name }
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = var.evaluation_periods
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic
  ok_actions          = local.topic
  tags                = var.tags
}

# --- reminders' dead-letter queue -------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  count = var.alarms && var.dlq_name != null ? 1 : 0

  alarm_name          = "${var.name}-reminders-dlq-depth"
  alarm_description   = "Reminder deliveries the scheduler gave up on are waiting in ${coalesce(var.dlq_name, "-")}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = var.dlq_name }
  statistic           = "Maximum"
  period              = var.period_seconds
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic
  ok_actions          = local.topic
  tags                = var.tags
}

# --- asynchronous invocations that failed for good --------------------------------------

resource "aws_cloudwatch_metric_alarm" "async_failures" {
  for_each = var.alarms ? var.failure_queue_names : {}

  alarm_name          = "${var.name}-${each.key}-failed-depth"
  alarm_description   = "Function ${each.key} failed an event or a stream batch for good (after Lambda's retries): it waits in ${each.value}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = var.period_seconds
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic
  ok_actions          = local.topic
  tags                = var.tags
}

# --- stream consumers falling behind ------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "iterator_age" {
  for_each = var.alarms ? var.stream_consumers : {}

  alarm_name          = "${var.name}-${each.key}-iterator-age"
  alarm_description   = "Function ${each.value} is more than ${var.iterator_age_ms / 1000} s behind its stream: readings, alerts and pushes arrive late (a failing or throttled consumer; its failed queue holds what it gave up on)."
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = var.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.iterator_age_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic
  ok_actions          = local.topic
  tags                = var.tags
}

# The API alarms became optional (alarms = false where the emulator cannot hold them).
moved {
  from = aws_cloudwatch_metric_alarm.api_5xx
  to   = aws_cloudwatch_metric_alarm.api_5xx[0]
}

moved {
  from = aws_cloudwatch_metric_alarm.api_p99_latency
  to   = aws_cloudwatch_metric_alarm.api_p99_latency[0]
}
