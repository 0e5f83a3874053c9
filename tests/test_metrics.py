"""Keras-style running metrics, and label metrics that agree with scikit-learn."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import metrics

sklearn_metrics = pytest.importorskip("sklearn.metrics")


# -- running metrics, as seed program 000 uses them --------------------------------------------
def test_mean_tracks_the_mean_of_everything_given():
    train_loss = metrics.Mean(name="train_loss")
    train_loss(0.5)
    train_loss(ag.Tensor(0.25, dtype=np.float32))
    train_loss.update_state([1.0, 2.0])
    assert train_loss.result() == pytest.approx(0.9375) and train_loss.name == "train_loss"


def test_mean_with_sample_weights():
    m = metrics.Mean()
    m.update_state(0.5, sample_weight=30)
    m.update_state(1.0, sample_weight=10)
    assert m.result() == pytest.approx(0.625)


def test_reset_states_starts_again_from_zero():
    m = metrics.Mean()
    m(3.0)
    m.reset_states()
    assert m.result() == 0.0
    m(1.0)
    m.reset_state()
    m.reset()
    assert m.result() == 0.0


def test_sparse_categorical_accuracy_takes_labels_then_scores():
    train_accuracy = metrics.SparseCategoricalAccuracy()
    assert train_accuracy([1, 0], [[0.2, 0.8], [0.3, 0.7]]) == 0.5
    train_accuracy(np.array([[0], [1]]), ag.Tensor([[0.9, 0.1], [0.0, 1.0]]))  # (N, 1) labels, as Keras allows
    assert train_accuracy.result() == 0.75 and train_accuracy.name == "sparse_categorical_accuracy"


def test_sparse_categorical_accuracy_explains_swapped_arguments():
    with pytest.raises(ag.ShapeError, match="the order is y_true, y_pred"):
        metrics.SparseCategoricalAccuracy()([[0.2, 0.8], [0.3, 0.7]], [1, 0])


def test_accuracy_compares_labels_exactly():
    acc = metrics.Accuracy()
    acc([1, 2, 3, 4], [0, 2, 3, 4])
    assert acc.result() == 0.75


def test_categorical_and_binary_accuracy():
    assert metrics.CategoricalAccuracy()([[0, 1], [1, 0]], [[0.4, 0.6], [0.3, 0.7]]) == 0.5
    assert metrics.BinaryAccuracy()([1, 0, 1], [0.9, 0.2, 0.4]) == pytest.approx(2 / 3)


def test_metric_names_give_new_metrics():
    assert isinstance(metrics.get("sparse_categorical_accuracy"), metrics.SparseCategoricalAccuracy)
    with pytest.raises(ValueError, match="unknown metric 'auc'"):
        metrics.get("auc")


# -- label metrics against scikit-learn ------------------------------------------------------------
Y_TRUE = np.array([0, 1, 2, 2, 1, 0, 2, 1, 1, 0])
Y_PRED = np.array([0, 2, 2, 2, 1, 1, 0, 1, 2, 0])


@pytest.mark.parametrize("average", ["micro", "macro", "weighted", None])
@pytest.mark.parametrize("ours, theirs", [
    (metrics.precision, "precision_score"), (metrics.recall, "recall_score"), (metrics.f1_score, "f1_score"),
])
def test_scores_match_scikit_learn(ours, theirs, average):
    np.testing.assert_allclose(ours(Y_TRUE, Y_PRED, average=average),
                               getattr(sklearn_metrics, theirs)(Y_TRUE, Y_PRED, average=average), rtol=1e-12)


def test_binary_scores_match_scikit_learn_by_default():
    t, p = [0, 1, 1, 0, 1], [1, 1, 0, 0, 1]
    assert metrics.f1_score(t, p) == pytest.approx(sklearn_metrics.f1_score(t, p))
    assert metrics.precision(t, p) == pytest.approx(sklearn_metrics.precision_score(t, p))
    assert metrics.recall(t, p, pos_label=0) == pytest.approx(sklearn_metrics.recall_score(t, p, pos_label=0))


def test_binary_average_refuses_three_classes():
    with pytest.raises(ValueError, match="3 classes but average='binary'"):
        metrics.f1_score(Y_TRUE, Y_PRED)


def test_micro_f1_is_accuracy_for_single_label_data():
    assert metrics.f1_score(Y_TRUE, Y_PRED, average="micro") == metrics.accuracy(Y_TRUE, Y_PRED) == 0.6


def test_a_score_of_zero_over_zero_is_zero_division():
    # class 1 is never predicted: its precision is 0/0
    assert metrics.precision([1, 1], [0, 0], average=None).tolist() == [0.0, 0.0]
    assert metrics.precision([1, 1], [0, 0], average=None, zero_division=1.0).tolist() == [0.0, 1.0]


def test_confusion_matrix_matches_scikit_learn():
    np.testing.assert_array_equal(metrics.confusion_matrix(Y_TRUE, Y_PRED), sklearn_metrics.confusion_matrix(Y_TRUE, Y_PRED))
    np.testing.assert_array_equal(metrics.confusion_matrix(Y_TRUE, Y_PRED, labels=[2, 0]),
                                  sklearn_metrics.confusion_matrix(Y_TRUE, Y_PRED, labels=[2, 0]))


def test_scores_of_tensors_and_class_scores_are_argmaxed():
    scores = np.eye(3)[Y_PRED] * 0.8 + 0.1
    assert metrics.accuracy(ag.Tensor(Y_TRUE), ag.Tensor(scores)) == 0.6
    assert metrics.accuracy(Y_TRUE.tolist(), Y_PRED.tolist()) == sklearn_metrics.accuracy_score(Y_TRUE, Y_PRED)


def test_mismatched_lengths_name_both_shapes():
    with pytest.raises(ag.ShapeError, match=r"got shapes \(3,\) and \(2,\)"):
        metrics.accuracy([0, 1, 1], [0, 1])


def test_unknown_average_lists_the_choices():
    with pytest.raises(ValueError, match="average must be one of 'binary', 'micro', 'macro', 'weighted', None"):
        metrics.f1_score(Y_TRUE, Y_PRED, average="samples")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=30),
       st.sampled_from(["micro", "macro", "weighted"]))
def test_f1_matches_scikit_learn_on_any_labels(pairs, average):
    t, p = np.array(pairs).T
    expected = sklearn_metrics.f1_score(t, p, average=average, zero_division=0.0)
    assert metrics.f1_score(t, p, average=average) == pytest.approx(expected, rel=1e-12, abs=1e-12)
