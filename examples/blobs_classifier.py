"""Seed program 000 with autograd-lite: 10 Gaussian blobs, 2 -> 128 sigmoid -> 10 softmax, Adam,
sparse categorical cross-entropy, batch 32, a GradientTape training step; saves W_h, b_h, W_o, b_o.

    python examples/blobs_classifier.py                 # 1000 epochs, as the original
    python examples/blobs_classifier.py --epochs 20 --save /tmp/blobs.npz
"""
import argparse

import autograd_lite as ag
from autograd_lite import nn


class MyModel(ag.Model):
    def __init__(self, seed):
        super().__init__()
        self.d1 = nn.Dense(128, input_dim=2, activation="sigmoid", seed=seed)
        self.d2 = nn.Dense(10, input_dim=128, activation="softmax", seed=seed + 1)

    def call(self, x):
        return self.d2(self.d1(x))


def train_step(model, inputs, labels, loss_object, optimizer, train_loss, train_metric):
    with ag.GradientTape() as tape:
        pred = model(inputs)
        loss = loss_object(labels, pred)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    train_loss(loss)
    train_metric(labels, pred)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=1000, help="default 1000, as the original")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and the shuffling (default 0; "
                                                            "the data always use the original's seed 0)")
    parser.add_argument("--save", default="blobs_parameters.npz", metavar="PATH",
                        help="where to save W_h, b_h, W_o, b_o (default blobs_parameters.npz)")
    args = parser.parse_args()
    if args.epochs < 1:
        parser.error("--epochs must be positive")

    pts, labels = ag.data.blobs(n_centers=10, per_center=100, seed=0)  # exactly the original's points
    train_ds = ag.data.DataLoader(ag.data.TensorDataset(pts, labels), batch_size=32, shuffle=True, seed=args.seed)

    model = MyModel(args.seed)
    loss_object = nn.SparseCategoricalCrossentropy()
    optimizer = ag.optim.Adam()
    train_loss = ag.metrics.Mean(name="train_loss")
    train_accuracy = ag.metrics.SparseCategoricalAccuracy(name="train_accuracy")

    for epoch in range(args.epochs):
        for x, label in train_ds:
            train_step(model, x, label, loss_object, optimizer, train_loss, train_accuracy)
        template = "Epoch {}, Loss: {}, Accuracy: {}"
        print(template.format(epoch + 1, train_loss.result(), train_accuracy.result() * 100))
        train_loss.reset_states()
        train_accuracy.reset_states()

    # Dense keeps its weight as (out, in): already the transposed layout the original saved
    ag.save({"W_h": model.d1.weight, "b_h": model.d1.bias, "W_o": model.d2.weight, "b_o": model.d2.bias}, args.save)
    print(f"saved W_h {model.d1.weight.shape}, b_h {model.d1.bias.shape}, W_o {model.d2.weight.shape}, "
          f"b_o {model.d2.bias.shape} to {args.save}")


if __name__ == "__main__":
    main()
