# One-time reminder schedules live in their own group, so the API's permissions can be
# limited to "schedules in this group" and the group can be listed or emptied alone.
resource "aws_scheduler_schedule_group" "this" {
  name = "${var.name}-reminders"
  tags = var.tags
}

# Events the scheduler could not deliver to the function after its retries.
resource "aws_sqs_queue" "dlq" {
  name                              = "${var.name}-reminders-dlq"
  message_retention_seconds         = var.dlq_retention_seconds
  sqs_managed_sse_enabled           = var.kms_master_key_id == null ? true : null
  kms_master_key_id                 = var.kms_master_key_id
  kms_data_key_reuse_period_seconds = var.kms_master_key_id == null ? null : 300
  tags                              = var.tags
}

data "aws_caller_identity" "current" {}

locals {
  # The functions schedules may invoke: reminders (one-time schedules) and the alerts
  # function (the silence check's recurring schedule).
  invoked = concat(
    [var.reminders_function_arn, "${var.reminders_function_arn}:*"],
    var.silence_check == null ? [] : [var.silence_check.function_arn, "${var.silence_check.function_arn}:*"],
  )
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    # Only schedules of this account may use the role (confused-deputy guard).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "this" {
  name = "${var.name}-scheduler-invoke"
  role = aws_iam_role.this.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "InvokeScheduledFunctionsOnly"
        Effect   = "Allow"
        Action   = "lambda:InvokeFunction"
        Resource = local.invoked
      },
      {
        Sid      = "DeadLetters"
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = aws_sqs_queue.dlq.arn
      },
    ]
  })
}

# The silence check: silence brings no request, so a recurring schedule asks the alerts
# function every few minutes which sensors passed their deadline ("sensor offline").
# In the default group: the reminders group holds one-time schedules only.
resource "aws_scheduler_schedule" "silence_check" {
  # checkov:skip=CKV_AWS_297:Its input is the constant {"kind":"silence-check"}, no data; Scheduler encrypts it at rest with an AWS owned key.
  count = var.silence_check == null ? 0 : 1

  name                         = "${var.name}-silence-check"
  description                  = "Sensors silent past their deadline fire sensor offline"
  schedule_expression          = var.silence_check.schedule_expression
  schedule_expression_timezone = "UTC"
  state                        = var.silence_check.enabled ? "ENABLED" : "DISABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.silence_check.function_arn
    role_arn = aws_iam_role.this.arn
    input    = jsonencode({ kind = "silence-check" })

    # A missed run is caught up by the next one; an old event is worth nothing.
    retry_policy {
      maximum_retry_attempts       = 1
      maximum_event_age_in_seconds = 300
    }

    dead_letter_config {
      arn = aws_sqs_queue.dlq.arn
    }
  }
}
