terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Local state; the tooling passes -backend-config=path=... (and TF_DATA_DIR) per run.
  backend "local" {}
}
