"""Delivery: ``aidaily serve`` and ``prefect.yaml``'s deployment coexist on one Prefect
server, and a flow run never takes the working directory as its home.

The coexistence test starts a real ``prefect server start`` on 127.0.0.1 (its own
PREFECT_HOME under tmp), creates the process work pool and runs ``prefect deploy --all``
on the repository's ``prefect.yaml``, then starts and stops (SIGTERM) ``aidaily serve``
against it, reading the deployments back through the server's REST API.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from aidaily.config import load_settings
from aidaily.errors import ConfigError
from tests.factories import free_port

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FLOW = "daily-digest"


def prefect_yaml() -> dict[str, Any]:
    return yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))


# The worker's environment ----------------------------------------------------------------


def test_prefect_yaml_passes_the_home_and_the_models_settings_by_the_names_aidaily_reads(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    [deployment] = prefect_yaml()["deployments"]
    env = deployment["work_pool"]["job_variables"]["env"]
    assert env["AIDAILY_HOME"] == "{{ prefect.variables.aidaily_home }}"
    assert not any("KEY" in name for name in env)  # the key stays in the worker's own environment
    values = {"AIDAILY_HOME": str(tmp_path), "AIDAILY_LLM_BASE_URL": "http://127.0.0.1:9/v1",
              "AIDAILY_LLM_MODEL": "deepseek-chat", "AIDAILY_LLM_JSON_MODE": "json_object"}
    assert set(env) == set(values)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.home == tmp_path and settings.llm.base_url == "http://127.0.0.1:9/v1"
    assert (settings.llm.model, settings.llm.json_mode) == ("deepseek-chat", "json_object")
    for name in values:  # a Prefect variable that is not set arrives as an empty value
        monkeypatch.setenv(name, "")
    assert load_settings().llm.model == "gpt-4o-mini"


def test_a_flow_run_without_a_home_refuses_instead_of_using_the_working_directory(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from flows.daily import daily_digest

    checkout = tmp_path / "checkout"
    checkout.mkdir()
    monkeypatch.chdir(checkout)
    for value in (None, ""):  # unset, or an unset Prefect variable passed by prefect.yaml
        if value is None:
            monkeypatch.delenv("AIDAILY_HOME", raising=False)
        else:
            monkeypatch.setenv("AIDAILY_HOME", value)
        with pytest.raises(ConfigError, match="no aidaily home.*AIDAILY_HOME"):
            asyncio.run(daily_digest.fn(date="2026-01-19", offline=True))  # the flow's own body
    assert list(checkout.iterdir()) == []  # nothing written where the worker stands


def test_aidaily_run_still_takes_the_current_directory_as_its_home(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AIDAILY_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert load_settings().home == Path(".")


def test_serve_refuses_the_workers_deployment_name(tmp_path: Path) -> None:
    from aidaily.cli.serve import WORKER_DEPLOYMENT, build_deployment

    [deployment] = prefect_yaml()["deployments"]
    assert deployment["name"] == WORKER_DEPLOYMENT
    settings = load_settings(tmp_path)
    assert build_deployment(settings).name == "serve"
    with pytest.raises(ConfigError, match="prefect.yaml"):
        build_deployment(settings, WORKER_DEPLOYMENT)
    (tmp_path / "aidaily.toml").write_text('[schedule]\ndeployment = "nightly"\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        build_deployment(load_settings(tmp_path))


# A real Prefect server -----------------------------------------------------------------


@dataclass
class Server:
    api: str
    env: dict[str, str]

    def get(self, path: str) -> Any:
        response = httpx.get(f"{self.api}{path}", timeout=30)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(f"{self.api}{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def deployment(self, name: str) -> dict[str, Any] | None:
        response = httpx.get(f"{self.api}/deployments/name/{FLOW}/{name}", timeout=30)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    def scheduled_runs(self, deployment_id: str) -> set[str]:
        runs = self.post("/flow_runs/filter", {
            "deployments": {"id": {"any_": [deployment_id]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
        })
        return {run["id"] for run in runs}

    def cli(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(BIN / "prefect"), *args], env={**self.env, **env}, cwd=REPO,
                                capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        return result


def wait_for(what: str, probe: Any, timeout: float = 120.0) -> Any:
    """Poll ``probe`` until it returns something truthy (a guard against a hang, not a
    time limit under test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """``prefect server start`` on 127.0.0.1 with its own PREFECT_HOME under tmp."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "AIDAILY_", "OPENAI_"))}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_ENABLED="false",
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2",
        PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS="1",
        PREFECT_LOGGING_LEVEL="WARNING",
        COLUMNS="200",
    )
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                                "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    api = env["PREFECT_API_URL"]

    def healthy() -> bool:
        assert process.poll() is None, (tmp_path / "server.log").read_text()
        try:
            return httpx.get(f"{api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for("the Prefect server", healthy, timeout=180)
        yield Server(api, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def worker_view(deployment: dict[str, Any]) -> dict[str, Any]:
    """What a worker runs: entrypoint, pull steps, schedules, job variables, paused."""
    return {
        "entrypoint": deployment["entrypoint"],
        "pull_steps": deployment["pull_steps"],
        "schedules": [(s["schedule"].get("cron"), s["schedule"].get("timezone"), s["active"])
                      for s in deployment["schedules"]],
        "job_variables": deployment["job_variables"],
        "paused": deployment["paused"],
        "parameters": deployment["parameters"],
    }


@pytest.mark.slow
def test_serve_and_the_worker_deployment_keep_each_others_schedules(server: Server, home: Path,
                                                                   tmp_path: Path) -> None:
    serve_home = tmp_path / "serve-home"
    serve_home.mkdir()
    server.post("/variables/", {"name": "aidaily_home", "value": str(home)})
    server.post("/variables/", {"name": "aidaily_llm_model", "value": "fake-model"})
    server.cli("work-pool", "create", "aidaily", "--type", "process")
    server.cli("deploy", "--all", "--prefect-file", str(REPO / "prefect.yaml"), AIDAILY_REPO=str(REPO))

    nightly = server.deployment("nightly")
    assert nightly is not None
    deployed = worker_view(nightly)
    assert deployed["entrypoint"] == "flows/daily.py:daily_digest"
    assert deployed["pull_steps"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}]
    assert deployed["schedules"] == [("30 23 * * *", "Asia/Shanghai", True)] and not deployed["paused"]
    env = deployed["job_variables"]["env"]
    assert env["AIDAILY_HOME"] == str(home) and env["AIDAILY_LLM_MODEL"] == "fake-model"
    assert env["AIDAILY_LLM_BASE_URL"] == ""  # a variable not set: empty, ignored by aidaily
    scheduled = wait_for("the nightly deployment's scheduled runs", lambda: server.scheduled_runs(nightly["id"]))

    serve_env = {**server.env, "AIDAILY_HOME": str(serve_home)}
    serve = subprocess.Popen([str(BIN / "aidaily"), "serve"], env=serve_env, cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def serving() -> dict[str, Any] | None:
            # READY once the runner polls for its runs: serving has started, SIGTERM is handled.
            assert serve.poll() is None, serve.communicate()[0]
            deployment = server.deployment("serve")
            return deployment if deployment and deployment["status"] == "READY" else None

        served = wait_for("aidaily serve's deployment", serving)
        assert served["id"] != nightly["id"] and served["parameters"] == {"home": str(serve_home)}
        assert worker_view(server.deployment("nightly") or {}) == deployed  # while serving
    finally:
        serve.send_signal(signal.SIGTERM)
        output = serve.communicate(timeout=120)[0]
    assert serve.returncode == 0, output
    assert "daily-digest/serve" in output

    after = server.deployment("nightly")
    assert after is not None and after["id"] == nightly["id"]
    assert worker_view(after) == deployed  # not paused, schedule active, same entrypoint, pull steps
    assert scheduled <= server.scheduled_runs(nightly["id"])  # its scheduled runs are still there
    stopped = server.deployment("serve")
    assert stopped is not None and stopped["paused"]  # serve paused its own deployment only
