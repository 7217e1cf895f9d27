"""The stock tritonclient HTTP client (PyPI) against Sibyl's Open Inference Protocol v2 routes."""
import csv
import os

import numpy as np
import pytest
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from conftest import FIXTURES


def sample_rows(nan=True):
    with open(os.path.join(FIXTURES, "data", "X_test_nan.csv" if nan else "X_test.csv")) as f:
        rows = list(csv.reader(f))[1:]
    return np.array([[float(v) if v else np.nan for v in row] for row in rows], dtype=np.float32)


def rows_input(x, binary=True):
    """The rows as the one FP32 input of shape [rows, features]."""
    tensor = httpclient.InferInput("input", list(x.shape), "FP32")
    tensor.set_data_from_numpy(x, binary_data=binary)
    return tensor


def reference(fixture, name):
    with open(os.path.join(FIXTURES, fixture, name)) as f:
        return np.array([[float(v) for v in row] for row in list(csv.reader(f))[1:]], dtype=np.float32)


@pytest.mark.parametrize("binary", [True, False])
def test_live_ready_metadata_and_infer(sibyl, binary):
    api_id, key = sibyl.api("xgb_multiclass")
    headers = {"Authorization": "Bearer " + key}
    client = httpclient.InferenceServerClient(url=sibyl.base.removeprefix("http://"))
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready(api_id, headers=headers)
    metadata = client.get_model_metadata(api_id, headers=headers)
    assert metadata["name"] == api_id
    assert metadata["inputs"][0]["shape"] == [-1, 30]

    # JSON has no NaN, so the JSON form sends the rows without missing values.
    tensor = rows_input(sample_rows(nan=binary)[:200], binary)
    outputs = [httpclient.InferRequestedOutput("probabilities", binary_data=binary),
               httpclient.InferRequestedOutput("label", binary_data=binary)]
    result = client.infer(api_id, [tensor], outputs=outputs, headers=headers)
    probabilities = result.as_numpy("probabilities")
    expected = reference("xgb_multiclass", "pred_nan.csv" if binary else "pred.csv")[:200]
    assert probabilities.shape == (200, 3)
    assert np.max(np.abs(probabilities - expected)) <= 1e-6
    labels = [v.decode() if isinstance(v, bytes) else v for v in result.as_numpy("label")]
    assert labels == [str(i) for i in expected.argmax(axis=1)]


def test_default_outputs_of_a_regressor(sibyl):
    api_id, key = sibyl.api("xgb_regressor")
    client = httpclient.InferenceServerClient(url=sibyl.base.removeprefix("http://"))
    result = client.infer(api_id, [rows_input(sample_rows()[:50])], headers={"X-Api-Key": key})
    values = result.as_numpy("value")
    assert np.max(np.abs(values - reference("xgb_regressor", "pred_nan.csv")[:50, 0])) <= 1e-6


def test_refusals_reach_the_client(sibyl):
    api_id, key = sibyl.api("xgb_binary")
    client = httpclient.InferenceServerClient(url=sibyl.base.removeprefix("http://"))
    with pytest.raises(InferenceServerException) as refused:
        client.infer(api_id, [rows_input(sample_rows()[:1])], headers={"X-Api-Key": "key_aaaaaaaaaaaaaaaa.wrong"})
    assert refused.value.status() == "401"
    assert "API key" in refused.value.message()
    assert not client.is_model_ready(api_id, headers={"X-Api-Key": "wrong"})
