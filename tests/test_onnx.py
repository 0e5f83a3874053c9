"""ONNX export: the files pass onnx.checker and ONNX Runtime computes what autograd-lite computes (to 1e-5)."""
import sys

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import functional as F
from autograd_lite import nn

onnx = pytest.importorskip("onnx", reason="the onnx package is not installed (the interop extra)")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (the interop extra)")

RNG = np.random.default_rng(0)
BATCH = {"input": {0: "batch"}, "output": {0: "batch"}}


def run(path, x):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]


def ours(model, x):
    with ag.no_grad():
        return model(ag.Tensor(x)).data


def test_an_mlp_runs_in_onnx_runtime_with_any_batch_size(tmp_path):
    model = nn.Sequential(nn.Dense(16, activation="relu", seed=0), nn.Dropout(0.5),
                          nn.Dense(10, activation="softmax", seed=1))
    example = RNG.standard_normal((4, 8)).astype(np.float32)
    path = tmp_path / "mlp.onnx"
    ag.onnx.export(model, example, path, dynamic_axes=BATCH)
    assert model.training  # put back in the mode it was in
    model.eval()  # Dropout off, as in the export
    for batch in (4, 1, 37):
        x = RNG.standard_normal((batch, 8)).astype(np.float32)
        np.testing.assert_allclose(run(path, x), ours(model, x), rtol=1e-5, atol=1e-6)


def test_the_file_passes_the_checker_with_opset_17_and_state_dict_names(tmp_path):
    model = nn.MLP(3, [5], 2, seed=0)
    path = tmp_path / "m.onnx"
    ag.onnx.export(model, np.zeros((2, 3), np.float32), path, input_names=["x"], output_names=["logits"],
                   dynamic_axes={"x": [0], "logits": {0: "n"}})
    loaded = onnx.load(str(path))
    onnx.checker.check_model(loaded, full_check=True)
    assert loaded.opset_import[0].version >= 17
    assert sorted(i.name for i in loaded.graph.initializer) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    assert [i.name for i in loaded.graph.input] == ["x"] and [o.name for o in loaded.graph.output] == ["logits"]
    assert loaded.graph.output[0].type.tensor_type.shape.dim[0].dim_param == "n"


def test_buffers_are_initializers_under_their_state_dict_names(tmp_path):
    class Standardize(nn.Module):  # running statistics, as a BatchNorm in eval mode keeps them
        def __init__(self):
            self.register_buffer("running_mean", ag.Tensor(np.array([1.0, -2.0], np.float32)))
            self.register_buffer("inverse_std", ag.Tensor(np.array([0.5, 2.0], np.float32)))

        def forward(self, x):  # (ops on buffers alone record nothing: their results are exported as constants)
            return (ag.as_tensor(x) - self.running_mean) * self.inverse_std

    model = nn.Sequential(Standardize(), nn.Linear(2, 2, seed=0))
    path = tmp_path / "standardize.onnx"
    ag.onnx.export(model, np.zeros((1, 2), np.float32), path, dynamic_axes=BATCH)
    names = {i.name for i in onnx.load(str(path)).graph.initializer}
    assert {"0.running_mean", "0.inverse_std", "1.weight", "1.bias"} <= names
    x = RNG.standard_normal((6, 2)).astype(np.float32)
    np.testing.assert_allclose(run(path, x), ours(model, x), rtol=1e-5, atol=1e-6)


def test_flatten_of_images_keeps_the_batch_dynamic(tmp_path):
    model = ag.Model(nn.Sequential(nn.Flatten(), nn.Linear(16, 4, seed=0), nn.Sigmoid()))
    path = tmp_path / "images.onnx"
    ag.onnx.export(model, RNG.random((2, 1, 4, 4)).astype(np.float32), path, dynamic_axes=BATCH)
    x = RNG.random((5, 1, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(run(path, x), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


class EveryOp(nn.Module):
    """A module that uses each op of the translation table once."""

    def __init__(self):
        self.linear = nn.Linear(4, 4, seed=0)
        self.w = nn.Parameter(RNG.standard_normal((4, 4)).astype(np.float32))

    def forward(self, x):
        h = self.linear(x) @ self.w
        h = (h + 1.0 - x * 0.5) / 2.0
        h = -h + h ** 2 + F.exp(-F.abs(h)) + F.log(F.abs(h) + 1) + F.sqrt(F.abs(h))
        h = F.sin(h) + F.cos(h) + F.tanh(h) + F.sigmoid(h) + F.relu(h) + F.leaky_relu(h, 0.2)
        h = F.maximum(h, x) + F.minimum(h, 0.5) + F.clip(h, -1.0, 1.0) + F.where(h.data > 0, h, x)
        h = h.softmax(axis=0) + F.log_softmax(h, axis=1) + h.transpose(0, 1).T + h ** x.sigmoid()
        pooled = h.sum(axis=1, keepdims=True) + h.mean(axis=1, keepdims=True) + h.amax(axis=1, keepdims=True) \
            - h.amin(axis=1, keepdims=True)
        both = F.concat([h, pooled.broadcast_to(h.shape)], axis=1)
        return both.reshape(x.shape[0], 2, 4).mean(axis=1) + both.sum()


def test_every_translated_op_matches_onnx_runtime(tmp_path):
    model = EveryOp()
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    path = tmp_path / "every_op.onnx"
    ag.onnx.export(model, x, path)
    exported = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert {"Gemm", "MatMul", "Pow", "Softmax", "LogSoftmax", "Where", "Concat", "Expand", "ReduceSum", "ReduceMean",
            "ReduceMax", "ReduceMin", "Reshape", "Transpose", "Clip", "LeakyRelu"} <= exported
    np.testing.assert_allclose(run(path, x), ours(model, x), rtol=1e-5, atol=1e-5)


def test_an_op_without_a_translation_is_named_with_its_module(tmp_path):
    class PicksAColumn(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(3, 3, seed=0)

        def forward(self, x):
            return self.fc(x)[:, :1]

    with pytest.raises(ag.onnx.ExportError, match=r"the op 'getitem' \(GetItem, recorded in PicksAColumn\) has no "
                                                  r"ONNX translation"):
        ag.onnx.export(PicksAColumn(), np.ones((2, 3), np.float32), tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_a_translation_table_entry_is_all_a_new_op_needs(tmp_path, monkeypatch):
    class Swish(ag.engine.Op, name="swish_test", derivatives=("σ(x)(1 + x(1 - σ(x)))",)):
        __slots__ = ()

        def forward(self, x):
            return x / (1 + np.exp(-x))

    class SwishModule(nn.Module):
        def forward(self, x):
            return Swish()(ag.as_tensor(x))

    x = RNG.standard_normal((2, 3)).astype(np.float32)
    with pytest.raises(ag.onnx.ExportError, match="'swish_test'"):
        ag.onnx.export(SwishModule(), x, tmp_path / "s.onnx")
    monkeypatch.setitem(ag.onnx.TRANSLATIONS, "swish_test",
                        lambda g, op, names, traced: g.node("Mul", [names[0], g.node("Sigmoid", names)]))
    ag.onnx.export(SwishModule(), x, tmp_path / "s.onnx")
    np.testing.assert_allclose(run(tmp_path / "s.onnx", x), x / (1 + np.exp(-x)), rtol=1e-5)


def test_unknown_dynamic_axes_names_are_refused(tmp_path):
    with pytest.raises(ValueError, match="dynamic_axes names 'images', which is not an input or output name"):
        ag.onnx.export(nn.Linear(2, 2), np.ones((1, 2), np.float32), tmp_path / "m.onnx",
                       dynamic_axes={"images": [0]})


def test_without_onnx_the_error_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install 'autograd-lite\[interop\]'"):
        ag.onnx.export(nn.Linear(2, 2), np.ones((1, 2), np.float32), tmp_path / "m.onnx")


def test_dense_gives_its_kernel_in_keras_layout():
    layer = nn.Dense(3, input_dim=2, seed=0)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (2, 3) and np.array_equal(kernel, layer.weight.data.T)
    other = nn.Dense(3, seed=1)
    other.set_weights([kernel, bias])
    x = RNG.standard_normal((4, 2)).astype(np.float32)
    np.testing.assert_array_equal(ours(other, x), x @ kernel + bias)


# -- convolution and pooling (the ops of ops/conv.py and ops/pooling.py, where this tree has them) ---------
def test_a_small_cnn_runs_in_onnx_runtime_with_any_batch_size(tmp_path):
    pytest.importorskip("autograd_lite.ops.conv", reason="this tree has no convolution ops yet")

    class SmallCNN(nn.Module):
        def __init__(self):
            rng = np.random.default_rng(0)
            self.conv1 = nn.Parameter(rng.standard_normal((4, 1, 3, 3)).astype(np.float32) * 0.5)
            self.bias1 = nn.Parameter(rng.standard_normal(4).astype(np.float32))
            self.conv2 = nn.Parameter(rng.standard_normal((6, 2, 2, 2)).astype(np.float32) * 0.5)
            self.fc = nn.Linear(6 * 3 * 3, 3, seed=0)

        def forward(self, x):
            h = F.relu(F.conv2d(x, self.conv1, self.bias1, padding=1))                   # (N, 4, 8, 8)
            h = F.max_pool2d(h, 2)                                                        # (N, 4, 4, 4)
            h = F.conv2d(h, self.conv2, stride=1, padding=(0, 1), dilation=(1, 2), groups=2)  # (N, 6, 3, 4)
            h = F.avg_pool2d(h, 2, stride=1, padding=1, ceil_mode=True, count_include_pad=False)  # (N, 6, 4, 5)
            h = F.max_pool2d(h, 3, stride=2, padding=1, ceil_mode=True)                   # (N, 6, 3, 3)
            return self.fc(h.flatten(1)).softmax(axis=1)

    model = SmallCNN()
    path = tmp_path / "cnn.onnx"
    ag.onnx.export(model, RNG.standard_normal((2, 1, 8, 8)).astype(np.float32), path, dynamic_axes=BATCH)
    assert {"Conv", "MaxPool", "AveragePool"} <= {node.op_type for node in onnx.load(str(path)).graph.node}
    for batch in (2, 5):
        x = RNG.standard_normal((batch, 1, 8, 8)).astype(np.float32)
        np.testing.assert_allclose(run(path, x), ours(model, x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("options", [dict(), dict(count_include_pad=True, padding=1),
                                     dict(divisor_override=3, padding=1), dict(padding=1, ceil_mode=True, stride=2)])
def test_average_pooling_divides_as_the_op_does(tmp_path, options):
    pytest.importorskip("autograd_lite.ops.pooling", reason="this tree has no pooling ops yet")

    class Pool(nn.Module):
        def forward(self, x):
            return F.avg_pool2d(x, 3, **options)

    x = RNG.standard_normal((2, 2, 7, 7)).astype(np.float32)
    ag.onnx.export(Pool(), x, tmp_path / "pool.onnx")
    np.testing.assert_allclose(run(tmp_path / "pool.onnx", x), ours(Pool(), x), rtol=1e-5, atol=1e-6)
