output "function_names" {
  description = "Function names by key."
  value       = { for key, fn in aws_lambda_function.this : key => fn.function_name }
}

output "function_arns" {
  description = "Function ARNs by key."
  value       = { for key, fn in aws_lambda_function.this : key => fn.arn }
}

output "invoke_arns" {
  description = "Invoke ARNs (for API Gateway integrations) by key."
  value       = { for key, fn in aws_lambda_function.this : key => fn.invoke_arn }
}

output "role_arns" {
  description = "Execution role ARNs by key."
  value       = { for key, role in aws_iam_role.this : key => role.arn }
}

output "log_group_names" {
  description = "Log group names by key."
  value       = { for key, group in aws_cloudwatch_log_group.this : key => group.name }
}

output "http_functions" {
  description = "Functions that serve HTTP routes, by key: what the api module integrates with."
  value = {
    for key, fn in var.functions : key => {
      function_name = aws_lambda_function.this[key].function_name
      invoke_arn    = aws_lambda_function.this[key].invoke_arn
    } if length(fn.routes) + length(fn.public_routes) > 0
  }
}

output "routes" {
  description = "Every route key with the function that serves it and whether the JWT authorizer guards it."
  value = merge(
    [for key, fn in var.functions : merge(
      { for route in fn.routes : route => { function = key, authorized = true } },
      { for route in fn.public_routes : route => { function = key, authorized = false } },
    )]...
  )
}

output "repository_url" {
  description = "ECR repository URL (package_type = \"Image\"), else null."
  value       = local.is_image ? aws_ecr_repository.this[0].repository_url : null
}

output "repository_name" {
  description = "ECR repository name (package_type = \"Image\"), else null."
  value       = local.is_image ? aws_ecr_repository.this[0].name : null
}

output "failure_queues" {
  description = "On-failure destination queues (asynchronously invoked functions, table stream consumers), by function key: name and arn."
  value       = { for key, queue in aws_sqs_queue.failed : key => { name = queue.name, arn = queue.arn } }
}

output "table_stream_mappings" {
  description = "Event source mappings from the table's stream, by function key: uuid, function_name, enabled."
  value = {
    for key, mapping in aws_lambda_event_source_mapping.table_stream : key => {
      uuid          = mapping.uuid
      function_name = aws_lambda_function.this[key].function_name
      enabled       = mapping.enabled
    }
  }
}

output "stream_consumers" {
  description = "Functions that consume the table's stream, by key: function name (for IteratorAge alarms)."
  value       = { for key, fn in var.functions : key => local.function_names[key] if fn.table_stream != null }
}
