# The whole stack in an AWS emulator: zip functions (it runs no containers), its own
# endpoint for every service, no edge (no CloudFront there), no alarms (only their topic
# and its key: the emulator stores alarms incompletely), no X-Ray.
module "stack" {
  source = "../../modules/stack"
  providers = {
    aws = aws
    # The edge is off here; the emulator answers for every region.
    aws.us_east_1 = aws
  }

  name_prefix         = var.name_prefix
  app_env             = "local"
  package_type        = "Zip"
  zip_path            = var.lambda_zip_path
  aws_endpoint        = var.aws_endpoint
  admin_password_auth = true
  tracing             = false
  alarms              = false
  log_retention_days  = 14
  # Expo's web dev server.
  cors_allow_origins  = ["http://localhost:8081"]
  deletion_protection = false
  # The emulator fires rate schedules: every minute, so a test sees "sensor offline"
  # arrive through the schedule without waiting five.
  silence_check_schedule = "rate(1 minute)"
  silence_check_enabled  = var.silence_check_enabled
  readings_feed_enabled  = var.readings_feed_enabled
  # EXPO_PUSH_URL comes from here (make run passes it through; the tests point it at
  # their loopback Expo server); unset, pushes go to Expo's API.
  app_settings = var.extra_environment
  app_links    = var.app_links
}
