locals {
  is_zip = var.package_type == "Zip"

  function_names = { for key, _ in var.functions : key => "${var.name_prefix}-${key}" }

  dynamodb_actions = {
    for key, fn in var.functions : key => [
      for action in fn.dynamodb_actions : startswith(action, "dynamodb:") ? action : "dynamodb:${action}"
    ]
  }
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = var.functions

  name               = local.function_names[each.key]
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = var.functions

  name              = "/aws/lambda/${local.function_names[each.key]}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_iam_role_policy" "this" {
  for_each = var.functions

  name = "${local.function_names[each.key]}-access"
  role = aws_iam_role.this[each.key].id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid      = "OwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.this[each.key].arn}:*"
      }],
      length(local.dynamodb_actions[each.key]) == 0 ? [] : [{
        Sid      = "Table"
        Effect   = "Allow"
        Action   = local.dynamodb_actions[each.key]
        Resource = [var.table_arn, "${var.table_arn}/index/*"]
      }],
    )
  })
}

resource "aws_lambda_function" "this" {
  for_each = var.functions

  function_name = local.function_names[each.key]
  role          = aws_iam_role.this[each.key].arn
  package_type  = var.package_type
  memory_size   = each.value.memory_mb
  timeout       = each.value.timeout_s

  reserved_concurrent_executions = each.value.reserved_concurrency == null ? -1 : each.value.reserved_concurrency

  # Zip
  filename         = local.is_zip ? var.zip_path : null
  source_code_hash = local.is_zip ? filebase64sha256(var.zip_path) : null
  handler          = local.is_zip ? each.value.handler : null
  runtime          = local.is_zip ? var.runtime : null

  # Image
  image_uri     = local.is_zip ? null : var.image_uri
  architectures = local.is_zip ? null : ["arm64"]

  dynamic "image_config" {
    for_each = local.is_zip ? [] : [each.value.image_command]

    content {
      command = image_config.value
    }
  }

  environment {
    variables = merge(var.environment, each.value.environment)
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.is_zip ? var.zip_path != null : var.image_uri != null
      error_message = "package_type \"Zip\" needs zip_path; \"Image\" needs image_uri."
    }
  }

  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.this,
  ]
}
