# terraform init -backend-config=key=kefir/prod/terraform.tfstate …; plan -var-file=prod.tfvars
environment        = "prod"
log_retention_days = 30
# The table and the user pool refuse deletion; the bucket is versioned; the image
# repository keeps its images on destroy.
deletion_protection = true
