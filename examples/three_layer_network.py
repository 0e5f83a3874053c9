"""Seed program 003 with autograd-lite: a [784, 100, 30, 10] ReLU network "from scratch", sigmoid
cross-entropy with logits on one-hot labels, SGD 0.01 through a GradientTape, scored by micro F1.

Two changes from the original, which it needed to learn anything: pixels are
scaled to [0, 1] (see two_layer_net.py for why), and each epoch is a pass of
mini-batches instead of one step on all 60,000 images at once. As in the
original, the loss handed to ``tape.gradient`` is the per-element losses,
whose gradient is that of their sum.

    python examples/three_layer_network.py --dataset fashion-mnist
    python examples/three_layer_network.py --data-dir ../shared/data/mnist --holdout
"""
import argparse

import numpy as np

import autograd_lite as ag
import autograd_lite.functional as F
from autograd_lite import nn

import mnist_data


class Network:
    def __init__(self, n_layers, rng):
        def weight(n_in, n_out):
            return ag.tensor(nn.init.normal((n_in, n_out), std=0.1, seed=rng), requires_grad=True)

        def bias(n_out):
            return ag.tensor(nn.init.zeros((1, n_out)), requires_grad=True)

        self.W1, self.b1 = weight(n_layers[0], n_layers[1]), bias(n_layers[1])
        self.W2, self.b2 = weight(n_layers[1], n_layers[2]), bias(n_layers[2])
        self.W3, self.b3 = weight(n_layers[2], n_layers[3]), bias(n_layers[3])
        self.params = [self.W1, self.b1, self.W2, self.b2, self.W3, self.b3]
        self.optimizer = ag.optim.SGD(lr=0.01)

    def forward(self, x):
        z1 = F.relu(ag.tensor(x) @ self.W1 + self.b1)
        z2 = F.relu(z1 @ self.W2 + self.b2)
        return z2 @ self.W3 + self.b3  # logits: the loss applies the sigmoid

    def loss(self, y_true, logits):
        return F.binary_cross_entropy_with_logits(logits.reshape(-1, 1), y_true.reshape(-1, 1), reduction="none")

    def backward(self, x, y):
        with ag.GradientTape() as tape:
            current_loss = self.loss(y, self.forward(x))
        grads = tape.gradient(current_loss.sum(), self.params)  # TensorFlow differentiates a vector's sum
        self.optimizer.apply_gradients(zip(grads, self.params))


def f1_micro(net, x, labels):
    with ag.no_grad():
        return ag.metrics.f1_score(labels, net.forward(x).data.argmax(axis=1), average="micro")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mnist_data.add_arguments(parser)
    parser.add_argument("--epochs", type=int, default=5, help="passes over the training images (default 5)")
    parser.add_argument("--batch-size", type=int, default=32, help="default 32")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights and shuffling (default 0)")
    args = parser.parse_args()
    if args.epochs < 1 or args.batch_size < 1:
        parser.error("--epochs and --batch-size must be positive")

    X_train, y_train, X_test, y_test = mnist_data.load(args)
    y_one_hot = np.eye(10, dtype=np.float32)[y_train]
    rng = np.random.default_rng(args.seed)
    net = Network([784, 100, 30, 10], rng)
    loader = ag.data.DataLoader(ag.data.TensorDataset(X_train, y_one_hot), args.batch_size, shuffle=True,
                                seed=args.seed)
    for epoch in range(args.epochs):
        for x_batch, y_batch in loader:
            net.backward(x_batch, y_batch)
        acc = f1_micro(net, X_train, y_train)
        print("epoch {epoch} accuracy score : {score}".format(epoch=epoch, score=acc * 100))
    print("test accuracy score (F1 micro) : {score}".format(score=f1_micro(net, X_test, y_test) * 100))


if __name__ == "__main__":
    main()
