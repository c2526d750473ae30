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
