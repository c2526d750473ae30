output "table_name" {
  description = "Name of the table."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the table."
  value       = aws_dynamodb_table.this.arn
}

output "stream_arn" {
  description = "ARN of the table's stream (NEW_IMAGE): the readings feed the alerts function consumes."
  value       = aws_dynamodb_table.this.stream_arn
}

output "index_arns" {
  description = "ARN pattern covering all indexes of the table, for IAM policies."
  value       = "${aws_dynamodb_table.this.arn}/index/*"
}

output "bucket_name" {
  description = "Name of the photos bucket (photos, pending uploads, exports)."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the photos bucket, for IAM policies (\"<arn>/<prefix>*\")."
  value       = aws_s3_bucket.this.arn
}
