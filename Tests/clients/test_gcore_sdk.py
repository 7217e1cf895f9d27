"""The vendor's own Python SDK (PyPI `gcore`), pointed at Sibyl, drives deployments and everything around
them unchanged, with strict response validation: every answer must match the SDK's models.

Needs a container engine (SIBYL_TEST_ENGINE, set by CI) and the test image built by
scripts/container-engine.sh.
"""
import json
import os
import urllib.error
import urllib.request

import pytest
from gcore import Gcore

IMAGE = "localhost/sibyl-test-echo:latest"

pytestmark = pytest.mark.skipif(
    not os.environ.get("SIBYL_TEST_ENGINE") and os.environ.get("SIBYL_REQUIRE_ENGINE") != "1",
    reason="SIBYL_TEST_ENGINE is not set")


@pytest.fixture(scope="module")
def client(sibyl):
    return Gcore(api_key=sibyl.token, base_url=sibyl.base, cloud_project_id=1, cloud_region_id=1,
                 polling_interval_seconds=1, polling_timeout_seconds=120, max_retries=0,
                 _strict_response_validation=True)


def test_flavors_and_capacity(client):
    flavors = list(client.cloud.inference.flavors.list())
    assert [f.name for f in flavors] == ["inference-0.5vcpu-512mib", "inference-1vcpu-1gib", "inference-2vcpu-4gib"]
    flavor = client.cloud.inference.flavors.get("inference-1vcpu-1gib")
    assert flavor.cpu == 1 and flavor.memory == 1 and flavor.gpu == 0
    capacity = client.cloud.inference.get_capacity_by_region()
    assert capacity.count == 1 and capacity.results[0].region_id == 1


def test_api_keys_registry_credentials_and_secrets(client):
    inference = client.cloud.inference
    created = inference.api_keys.create(name="sdk-key", description="from the SDK")
    assert created.secret.startswith("sbk_") and created.deployment_names == []
    assert [k.name for k in inference.api_keys.list()] == ["sdk-key"]
    assert inference.api_keys.update("sdk-key", description="changed").description == "changed"
    assert inference.api_keys.get("sdk-key").description == "changed"
    inference.api_keys.delete("sdk-key")
    with pytest.raises(Exception) as missing:
        inference.api_keys.get("sdk-key")
    assert getattr(missing.value, "status_code", None) == 404

    credentials = inference.registry_credentials.create(
        name="sdk-registry", username="ci", password="registry-password", registry_url="registry.example.com")
    assert credentials.username == "ci" and credentials.project_id == 1
    assert [c.name for c in inference.registry_credentials.list()] == ["sdk-registry"]
    replaced = inference.registry_credentials.replace(
        "sdk-registry", username="ci2", password="another-password", registry_url="registry.example.com")
    assert replaced.username == "ci2" and inference.registry_credentials.get("sdk-registry").username == "ci2"
    inference.registry_credentials.delete("sdk-registry")

    secret = inference.secrets.create(
        name="sdk-secret", type="aws-iam",
        data={"aws_access_key_id": "AKIAEXAMPLE0001", "aws_secret_access_key": "very-secret-value"})
    assert secret.data.aws_secret_access_key == "****" and secret.data.aws_access_key_id == "****0001"
    assert [s.name for s in inference.secrets.list()] == ["sdk-secret"]
    replaced = inference.secrets.replace(
        "sdk-secret", type="aws-iam", data={"aws_access_key_id": "AKIAEXAMPLE0002", "aws_secret_access_key": "other"})
    assert replaced.data.aws_access_key_id == "****0002"
    assert inference.secrets.get("sdk-secret").name == "sdk-secret"
    inference.secrets.delete("sdk-secret")


def call(sibyl, path, key=None):
    request = urllib.request.Request(sibyl.base + path)
    if key:
        request.add_header("X-Api-Key", key)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


def test_deployment_lifecycle(client, sibyl):
    deployments = client.cloud.inference.deployments
    key = client.cloud.inference.api_keys.create(name="sdk-deploy-key")
    deployment = deployments.create_and_poll(
        name="sdk-echo", image=IMAGE, listening_port=8080, flavor_name="inference-0.5vcpu-512mib",
        containers=[{"region_id": 1, "scale": {"min": 1, "max": 1}}], api_keys=["sdk-deploy-key"],
        envs={"REPLICA": "sdk"}, command=["/echo-server"], api_timeout=300,
        probes={"readiness_probe": {"enabled": True, "probe": {"http_get": {"port": 8080, "path": "/healthz"}}}})
    assert deployment.name == "sdk-echo" and deployment.auth_enabled and deployment.command == "/echo-server"
    assert deployment.probes.readiness_probe.probe.period_seconds == 10
    assert deployment.status in ("DEPLOYING", "PARTIALLYDEPLOYED", "ACTIVE")
    for _ in range(200):
        deployment = deployments.get("sdk-echo")
        if deployment.status == "ACTIVE":
            break
        __import__("time").sleep(0.1)
    assert deployment.status == "ACTIVE" and deployment.containers[0].deploy_status.ready == 1
    assert [d.name for d in deployments.list()] == ["sdk-echo"]

    path = "/inference/1/sdk-echo/hello"
    assert call(sibyl, path)[0] == 401
    status, echoed = call(sibyl, path, key.secret)
    assert status == 200 and echoed["replica"] == "sdk" and echoed["path"] == "/hello"

    updated = deployments.update_and_poll("sdk-echo", envs={"REPLICA": "sdk-2"}, description="second revision")
    assert updated.description == "second revision" and updated.envs == {"REPLICA": "sdk-2"}
    for _ in range(200):
        status, echoed = call(sibyl, path, key.secret)
        if status == 200 and echoed["replica"] == "sdk-2":
            break
        __import__("time").sleep(0.1)
    assert echoed["replica"] == "sdk-2"

    logs = list(deployments.logs.list("sdk-echo", order_by="time.asc"))
    assert any("/hello" in line.message for line in logs) and all(line.region_id == 1 for line in logs)

    deployments.stop("sdk-echo")
    for _ in range(200):
        if deployments.get("sdk-echo").status == "DISABLED":
            break
        __import__("time").sleep(0.1)
    assert deployments.get("sdk-echo").status == "DISABLED"
    assert call(sibyl, path, key.secret)[0] == 503
    deployments.start("sdk-echo")
    for _ in range(200):
        if deployments.get("sdk-echo").status == "ACTIVE":
            break
        __import__("time").sleep(0.1)
    assert call(sibyl, path, key.secret)[0] == 200

    deployments.delete_and_poll("sdk-echo")
    with pytest.raises(Exception) as gone:
        deployments.get("sdk-echo")
    assert getattr(gone.value, "status_code", None) == 404
    client.cloud.inference.api_keys.delete("sdk-deploy-key")
