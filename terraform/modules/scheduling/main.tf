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
        Sid      = "InvokeRemindersOnly"
        Effect   = "Allow"
        Action   = "lambda:InvokeFunction"
        Resource = [var.reminders_function_arn, "${var.reminders_function_arn}:*"]
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
