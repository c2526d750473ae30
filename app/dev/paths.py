"""Where the tooling keeps its files, so every module agrees without passing paths around."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_DIR = REPO_ROOT / "app"
EMULATOR_DIR = REPO_ROOT / ".emulator"
BUILD_DIR = REPO_ROOT / "build"
TERRAFORM_LOCAL_ENV = REPO_ROOT / "terraform" / "environments" / "local"
CURRENT_STACK_FILE = EMULATOR_DIR / "current.json"
