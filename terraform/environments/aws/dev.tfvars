# terraform init -backend-config=key=kefir/dev/terraform.tfstate …; plan -var-file=dev.tfvars
environment        = "dev"
log_retention_days = 14
# dev can be torn down and rebuilt.
deletion_protection = false
