"""docker-compose.yml, checked as a file: Docker cannot run on these machines.

What `docker compose up` would do depends on the services, their health checks, the
order their dependencies impose, and that Terraform applies the real local environment.
"""

from __future__ import annotations

import re
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.dev.emulator import PINS

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
EMULATORS = ("localstack", "ministack")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def _after(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    depends: dict[str, dict[str, Any]] = service.get("depends_on", {})
    return depends


def test_the_stack_has_its_services(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == {"localstack", "ministack", "zip", "terraform", "api"}


def test_each_profile_brings_exactly_one_emulator(services: dict[str, dict[str, Any]]) -> None:
    assert services["localstack"]["profiles"] == ["localstack"]
    assert services["ministack"]["profiles"] == ["ministack"]
    for name in ("zip", "terraform", "api"):
        assert "profiles" not in services[name], f"{name} must run with either emulator"
    for name in EMULATORS:
        assert services[name]["networks"]["default"]["aliases"] == ["aws"]
        assert services[name]["ports"] == ["127.0.0.1:4566:4566"]


def test_every_image_is_pinned_by_version(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository, f"{name}: {image} has no tag"
        assert tag, f"{name}: {image} has no tag"
        assert tag != "latest", f"{name}: {image}"
        if name != "api":  # the api image is built here from docker/Dockerfile
            assert re.fullmatch(r"\d+\.\d+\.\d+(-[a-z0-9.-]+)?", tag), f"{name}: {image}"
    assert "latest" not in COMPOSE.read_text(encoding="utf-8")


def test_localstack_needs_a_token_from_the_environment_and_the_docker_socket(
    services: dict[str, dict[str, Any]],
) -> None:
    localstack = services["localstack"]
    token = localstack["environment"]["LOCALSTACK_AUTH_TOKEN"]
    assert token.startswith("${LOCALSTACK_AUTH_TOKEN:?"), token
    assert "/var/run/docker.sock:/var/run/docker.sock" in localstack["volumes"]
    assert "_localstack/health" in " ".join(localstack["healthcheck"]["test"])


def test_ministack_runs_the_same_pins_as_the_embedded_emulator(
    services: dict[str, dict[str, Any]],
) -> None:
    ministack = services["ministack"]
    command = " ".join(ministack["command"])
    for pin in PINS:
        assert pin in command
    assert "_ministack/health" in " ".join(ministack["healthcheck"]["test"])


def test_health_checks_gate_what_follows(services: dict[str, dict[str, Any]]) -> None:
    for name in (*EMULATORS, "api"):
        assert services[name]["healthcheck"]["test"][0] == "CMD", name
    terraform = _after(services["terraform"])
    for name in EMULATORS:
        assert terraform[name] == {"condition": "service_healthy", "required": False}
    assert terraform["zip"]["condition"] == "service_completed_successfully"
    assert _after(services["api"]) == {"terraform": {"condition": "service_completed_successfully"}}


def test_the_start_order_is_emulator_zip_terraform_api(
    services: dict[str, dict[str, Any]],
) -> None:
    graph = {name: set(_after(service)) for name, service in services.items()}
    order = list(TopologicalSorter(graph).static_order())
    assert order.index("terraform") > max(order.index(e) for e in (*EMULATORS, "zip"))
    assert order[-1] == "api"


def test_terraform_applies_the_real_local_environment(
    services: dict[str, dict[str, Any]],
) -> None:
    terraform = services["terraform"]
    mounts = dict(volume.split(":", 1) for volume in terraform["volumes"])
    assert mounts["./terraform"] == "/src/terraform"
    container_dir = Path(terraform["working_dir"])
    local_dir = REPO / "terraform" / container_dir.relative_to("/src/terraform")
    assert local_dir == REPO / "terraform" / "environments" / "local"
    assert (local_dir / "main.tf").is_file()
    script = " ".join(terraform["command"])
    assert "terraform apply" in script
    assert "-var aws_endpoint=http://aws:4566" in script
    assert "terraform output -raw app_dotenv" in script
    zip_path = re.search(r"lambda_zip_path=(\S+)", script)
    assert zip_path
    assert Path(zip_path.group(1)).parent.as_posix() + ":ro" in [
        v.split(":", 1)[1] for v in terraform["volumes"] if v.startswith("lambda:")
    ]
    assert f"out=Path('{zip_path.group(1)}')" in " ".join(services["zip"]["command"])
    assert ".:/src:ro" in services["zip"]["volumes"]
    outputs = (local_dir / "outputs.tf").read_text(encoding="utf-8")
    assert 'output "app_dotenv"' in outputs


def test_the_api_is_the_lambda_image_served_with_uvicorn(
    services: dict[str, dict[str, Any]],
) -> None:
    api = services["api"]
    assert api["build"]["dockerfile"] == "docker/Dockerfile"
    dockerfile = (REPO / api["build"]["dockerfile"]).read_text(encoding="utf-8")
    assert api["entrypoint"] == ["/usr/local/bin/kefir-serve"]
    assert "docker/serve.sh /usr/local/bin/kefir-serve" in dockerfile
    assert "uvicorn app.main:create_app --factory" in (REPO / "docker" / "serve.sh").read_text()
    assert api["ports"] == ["127.0.0.1:8000:8000"]
    assert api["environment"]["KEFIR_ENV_FILE"] == "/state/app.env"


def test_no_secret_is_written_in_the_file(services: dict[str, dict[str, Any]]) -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert not re.search(r"AKIA[0-9A-Z]{16}|ls-[A-Za-z0-9]{8,}|ghp_[A-Za-z0-9]{20,}", text)
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"TOKEN|SECRET|PASSWORD|KEY", key):
                # Either taken from the environment, or the emulators' dummy credentials.
                assert str(value).startswith("${") or value == "test", f"{name}: {key}"
