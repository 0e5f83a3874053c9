"""Make the README's pictures under docs/images/ (run from the repository root: python docs/make_images.py).

1. expression.png: micrograd's neuron, o = tanh(x1·w1 + x2·w2 + b), with data and gradients;
2. mlp_loss.png: the loss graph of seed program 000's model (2 -> Dense(128, sigmoid) -> Dense(10, softmax))
   on one batch of its blobs, each layer in its own cluster;
3. steps/: the chain rule step by step for L = a*b + a (index.html and one picture per step); the README
   shows step_003.png, where the gradient of a accumulates.

Everything is seeded, so the pictures change only when the code does. Needs the Graphviz dot program.
"""
import os

import numpy as np

import autograd_lite as ag
import viz

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "images")


def expression() -> None:
    x1, x2 = ag.Value(2.0, label="x1"), ag.Value(0.0, label="x2")
    w1, w2 = ag.Value(-3.0, label="w1"), ag.Value(1.0, label="w2")
    b = ag.Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1*w1", "x2*w2"
    total = x1w1 + x2w2
    total.label = "x1*w1 + x2*w2"
    n = total + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    viz.render(o, os.path.join(HERE, "expression.png"))


def mlp_loss() -> None:
    points, labels = ag.data.blobs(seed=0)
    model = ag.nn.Sequential([ag.nn.Dense(128, activation="sigmoid", input_dim=2, seed=0),
                              ag.nn.Dense(10, activation="softmax", seed=1)])
    batch = ag.Tensor(points[:32], name="x")
    loss = ag.nn.SparseCategoricalCrossentropy()(labels[:32], model(batch))
    loss.backward(retain_graph=True)
    viz.render(loss, os.path.join(HERE, "mlp_loss.png"), params=model, rankdir="TB")


def chain_rule_steps() -> None:
    a, b = ag.Value(2.0, label="a"), ag.Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    viz.render_steps(c + a, os.path.join(HERE, "steps"), format="png")


if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    expression()
    mlp_loss()
    chain_rule_steps()
    print(f"wrote the pictures under {HERE}")
