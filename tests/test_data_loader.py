"""Dataset, TensorDataset and DataLoader: batches as torch.utils.data makes them, fetched with numpy."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.data import DataLoader, Dataset, TensorDataset


def _loader(n=10, **kwargs):
    return DataLoader(TensorDataset(np.arange(n), np.arange(n) * 10), **kwargs)


def test_batches_come_in_order_with_a_smaller_last_batch():
    batches = [(x.tolist(), y.tolist()) for x, y in _loader(batch_size=4)]
    assert batches == [([0, 1, 2, 3], [0, 10, 20, 30]), ([4, 5, 6, 7], [40, 50, 60, 70]), ([8, 9], [80, 90])]


def test_len_is_the_number_of_batches_with_and_without_drop_last():
    assert len(_loader(batch_size=4)) == 3
    assert len(_loader(batch_size=4, drop_last=True)) == 2
    assert [len(x) for x, _ in _loader(batch_size=4, drop_last=True)] == [4, 4]
    assert len(_loader(n=8, batch_size=4)) == len(_loader(n=8, batch_size=4, drop_last=True)) == 2


def test_the_default_batch_size_is_one_as_in_pytorch():
    assert len(_loader(n=3)) == 3


def test_shuffle_visits_every_sample_once_per_epoch_in_a_new_order():
    loader = _loader(n=50, batch_size=8, shuffle=True, seed=0)
    epochs = [np.concatenate([x for x, _ in loader]) for _ in range(3)]
    for order in epochs:
        assert sorted(order.tolist()) == list(range(50))
    assert epochs[0].tolist() != epochs[1].tolist() != epochs[2].tolist()


def test_shuffle_with_a_seed_repeats_the_same_epochs():
    def epochs(seed):
        loader = _loader(n=20, batch_size=5, shuffle=True, seed=seed)
        return [np.concatenate([x for x, _ in loader]).tolist() for _ in range(2)]
    assert epochs(7) == epochs(7)
    assert epochs(7) != epochs(8)


def test_shuffled_pairs_stay_together():
    for x, y in _loader(n=30, batch_size=7, shuffle=True, seed=1):
        np.testing.assert_array_equal(y, x * 10)


def test_as_tensor_yields_constant_tensors_keeping_the_dtype():
    x, y = next(iter(DataLoader(TensorDataset(np.ones((4, 2), np.float32), np.arange(4)),
                                batch_size=2, as_tensor=True)))
    assert isinstance(x, ag.Tensor) and isinstance(y, ag.Tensor)
    assert (x.shape, x.dtype, y.dtype, x.requires_grad) == ((2, 2), np.float32, np.int64, False)


class _CountingDataset(TensorDataset):
    calls = 0

    def __getitem__(self, index):
        type(self).calls += 1
        return super().__getitem__(index)


def test_a_tensor_dataset_is_batched_without_touching_single_samples():
    loader = DataLoader(_CountingDataset(np.zeros((1000, 3))), batch_size=100, shuffle=True, seed=0)
    assert sum(len(x) for (x,) in loader) == 1000
    assert _CountingDataset.calls == 0


class _Squares(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.float32(i), np.array([i, i * i])


def test_a_plain_dataset_is_collated_field_by_field():
    x, y = next(iter(DataLoader(_Squares(), batch_size=3)))
    assert x.tolist() == [0.0, 1.0, 2.0] and x.dtype == np.float32
    assert y.tolist() == [[0, 0], [1, 1], [2, 4]]


def test_samples_that_are_single_arrays_give_single_array_batches():
    batches = list(DataLoader([np.array([i, -i]) for i in range(3)], batch_size=2))
    assert [b.tolist() for b in batches] == [[[0, 0], [1, -1]], [[2, -2]]]


def test_an_empty_dataset_gives_no_batches():
    assert list(_loader(n=0, batch_size=4)) == [] and len(_loader(n=0, batch_size=4)) == 0


def test_dataset_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        Dataset()


def test_tensor_dataset_arrays_must_share_their_first_dimension():
    with pytest.raises(ValueError, match=r"same first dimension .* got lengths \[3, 4\]"):
        TensorDataset(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="array 1 is a scalar"):
        TensorDataset(np.zeros(3), np.float32(1))
    with pytest.raises(TypeError, match="at least one array"):
        TensorDataset()


def test_tensor_dataset_unwraps_tensors_and_indexes_like_pytorch():
    ds = TensorDataset(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), np.array([0, 1]))
    x, y = ds[1]
    assert isinstance(ds.arrays[0], np.ndarray) and x.tolist() == [3.0, 4.0] and int(y) == 1


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, None])
def test_batch_size_must_be_a_positive_integer(bad):
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        _loader(batch_size=bad)


def test_a_dataset_without_len_is_refused():
    with pytest.raises(TypeError, match="dataset must have __len__ and __getitem__"):
        DataLoader(x for x in range(3))
