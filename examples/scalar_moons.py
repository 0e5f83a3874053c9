"""micrograd's demo on autograd-lite's scalar Value: a 2-16-16-1 MLP learns the two moons.

Every weight is one ``Value``; the network, the max-margin loss and the update
are written with floats, exactly as in micrograd's ``demo.ipynb`` and
``nn.py`` (same data, same seeds, same learning-rate schedule), so the printed
figures can be set beside micrograd's own.

    python examples/scalar_moons.py            # 100 steps, about a minute
    python examples/scalar_moons.py --steps 5
"""
import argparse
import random

import autograd_lite as ag
from autograd_lite import Value


class Neuron:
    def __init__(self, nin, rng, nonlin=True):
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer:
    def __init__(self, nin, nout, rng, **kwargs):
        self.neurons = [Neuron(nin, rng, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP:
    def __init__(self, nin, nouts, rng):
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], rng, nonlin=i != len(nouts) - 1) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


def loss(model, X, y, alpha=1e-4):
    """Max-margin (hinge) loss with L2 regularization, and the accuracy, over the whole data set."""
    scores = [model([Value(float(v)) for v in row]) for row in X]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    accuracy = [(yi > 0) == (si.data > 0) for yi, si in zip(y, scores)]
    return data_loss + reg_loss, sum(accuracy) / len(accuracy)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100, help="gradient steps (default 100, as micrograd's demo)")
    parser.add_argument("--samples", type=int, default=100, help="points in the moons data set (default 100)")
    parser.add_argument("--seed", type=int, default=1337, help="seed of data and weights (default 1337, micrograd's)")
    args = parser.parse_args()
    if args.steps < 1 or args.samples < 2:
        parser.error("--steps must be >= 1 and --samples >= 2")

    X, y = ag.data.moons(args.samples, noise=0.1, seed=args.seed)
    y = y * 2 - 1  # the hinge loss wants labels -1 and +1
    model = MLP(2, [16, 16, 1], random.Random(args.seed))
    print(model)
    print("number of parameters", len(model.parameters()))

    for k in range(args.steps):
        total_loss, acc = loss(model, X, y)
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / args.steps  # micrograd's schedule: from 1.0 down to 0.1
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        print(f"step {k} loss {total_loss.data}, accuracy {acc * 100}%")


if __name__ == "__main__":
    main()
