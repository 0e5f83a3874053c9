"""Seed program 004 with autograd-lite: a deep sigmoid network fitted to one random sample by gradient descent.

Input 10, a first hidden layer and ``hidden_depth`` more of ``num_neuron``
sigmoid units, a sigmoid output of 2; weights N(0, 0.01²), zero biases; loss
½·mean((h - y)²); plain gradient descent with alpha 0.01. The original wrote
each layer's gradient by hand; here ``loss.backward()`` does it (and agrees
with PyTorch's). The original's loss gradient was ``h - y``, without the
mean's 1/2 (over two outputs), so its steps were twice as long as the
gradient says: ``--alpha 0.02`` follows its curve.

    python examples/deep_sigmoid_mse.py
"""
import argparse
import time

import numpy as np

import autograd_lite as ag
import autograd_lite.functional as F
from autograd_lite import nn


def dnn(hidden_depth, num_neuron, input, output, rng):
    sizes = [input] + [num_neuron] * (hidden_depth + 1) + [output]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layer = nn.Linear(n_in, n_out)
        layer.weight.data[...] = nn.init.normal((n_out, n_in), std=0.01, seed=rng)  # the original's init_var
        layer.bias.data[...] = 0.0
        layers += [layer, nn.Sigmoid()]
    return nn.Sequential(layers)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=100, help="gradient steps (default 100)")
    parser.add_argument("--hidden-depth", type=int, default=5, help="hidden layers after the first (default 5)")
    parser.add_argument("--num-neuron", type=int, default=32, help="units per hidden layer (default 32)")
    parser.add_argument("--alpha", type=float, default=0.01, help="learning rate (default 0.01)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample and the weights (default 0)")
    args = parser.parse_args()
    if args.epochs < 1 or args.hidden_depth < 0 or args.num_neuron < 1:
        parser.error("--epochs and --num-neuron must be positive, --hidden-depth >= 0")

    rng = np.random.default_rng(args.seed)
    x = rng.normal(0.0, 1.0, (10,)).astype(np.float32)
    y = rng.normal(0.0, 1.0, (2,)).astype(np.float32)

    t = time.time()
    network = dnn(args.hidden_depth, args.num_neuron, input=10, output=2, rng=rng)
    optimizer = ag.optim.SGD(network.parameters(), lr=args.alpha)
    for epoch in range(args.epochs):
        loss = F.mse_loss(network(x), y, half=True)  # 1/2 * mean((h - y)^2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        print("Epoch {}: Test loss {}".format(epoch, loss.item()))
    print("{} seconds elapsed.".format(time.time() - t))


if __name__ == "__main__":
    main()
