output "stack" {
  description = "Every output of the stack: names, ids and ARNs, and `environment`, the settings the app reads (make run, the tests)."
  value       = module.stack
}

output "app_dotenv" {
  description = "The functions' settings as KEY=value lines, for the app served outside Lambda (compose)."
  value       = join("\n", [for key, value in module.stack.environment : "${key}=${value}"])
}
