"""Seed program 001 with autograd-lite: a 784-50-10 ReLU net, softmax-with-loss, plain SGD on MNIST.

The original wrote Affine, Relu and SoftmaxWithLoss layers with hand-made
backward passes and fed raw 0-255 pixels; its accuracy stalled at 11%.
Here the engine does the backward pass, and the script trains twice, on raw
pixels and on pixels scaled to [0, 1], to show the stall, its cause and the fix.

    python examples/two_layer_net.py --dataset fashion-mnist
    python examples/two_layer_net.py --data-dir ../shared/data/mnist --holdout
"""
import argparse

import numpy as np

import autograd_lite as ag
import autograd_lite.functional as F
from autograd_lite import nn

import mnist_data


def two_layer_net(input_size, hidden_size, output_size, weight_init_std, rng):
    net = nn.Sequential(nn.Linear(input_size, hidden_size), nn.ReLU(), nn.Linear(hidden_size, output_size))
    for affine in (net[0], net[2]):  # the original's initialisation: N(0, 0.01²) weights, zero biases
        affine.weight.data[...] = nn.init.normal(affine.weight.shape, std=weight_init_std, seed=rng)
        affine.bias.data[...] = 0.0
    return net


@ag.no_grad()
def accuracy(net, x, t):
    return float(np.mean(net(x).data.argmax(axis=1) == t))


def train(x_train, t_train, x_test, t_test, args):
    rng = np.random.default_rng(args.seed)
    net = two_layer_net(784, 50, 10, weight_init_std=0.01, rng=rng)
    optimizer = ag.optim.SGD(net.parameters(), lr=args.lr)
    train_size = len(x_train)
    iter_per_epoch = max(train_size / args.batch_size, 1)
    print("iter_per_epoch", iter_per_epoch)
    for i in range(args.iterations):
        batch_mask = rng.choice(train_size, args.batch_size)
        loss = F.cross_entropy(net(x_train[batch_mask]), t_train[batch_mask])  # softmax-with-loss, fused
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if i % iter_per_epoch == 0:
            print(accuracy(net, x_train, t_train), accuracy(net, x_test, t_test))
    return net


@ag.no_grad()
def diagnose(net, x, t):
    """What a stalled net does: which classes it predicts, and how many hidden ReLUs ever fire. True if stalled."""
    hidden = net[1](net[0](x)).data
    predicted = np.unique(net(x).data.argmax(axis=1))
    alive = int(np.sum(hidden.max(axis=0) > 0))
    if len(predicted) == 1:
        print(f"  every test image is predicted as class {predicted[0]}, which is "
              f"{np.mean(t == predicted[0]):.2%} of them: that is the accuracy")
    print(f"  hidden ReLUs that output anything but 0 on any test image: {alive} of {hidden.shape[1]}")
    return len(predicted) == 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mnist_data.add_arguments(parser)
    parser.add_argument("--iterations", type=int, default=6000, help="SGD steps (default 6000, as the original)")
    parser.add_argument("--batch-size", type=int, default=100, help="default 100")
    parser.add_argument("--lr", type=float, default=0.1, help="learning rate (default 0.1)")
    parser.add_argument("--seed", type=int, default=42, help="seed of weights and batches (default 42)")
    args = parser.parse_args()
    if args.iterations < 1 or args.batch_size < 1:
        parser.error("--iterations and --batch-size must be positive")

    x_train, t_train, x_test, t_test = mnist_data.load(args, normalize=False)
    raw_train, raw_test = x_train.astype(np.float32), x_test.astype(np.float32)

    print("\n1) raw pixels 0-255, as the original fed them: train accuracy, test accuracy")
    net = train(raw_train, t_train, raw_test, t_test, args)
    raw_accuracy = accuracy(net, raw_test, t_test)
    if diagnose(net, raw_test, t_test):
        print("  Stalled. Why: pixels up to 255 make the first layer's inputs, and so its gradients, 255 times\n"
              "  larger than pixels in [0, 1]. The first SGD steps at lr 0.1 then move its weights so far that\n"
              "  (almost) every hidden unit's input is negative for every image. A ReLU at 0 passes back no\n"
              "  gradient, so the first layer stops changing: the output no longer depends on the image, and\n"
              "  the net is stuck for good.")

    print("\n2) pixels scaled to [0, 1] (divided by 255): the same net, seed and steps")
    net = train(raw_train / 255, t_train, raw_test / 255, t_test, args)
    scaled_accuracy = accuracy(net, raw_test / 255, t_test)
    print(f"final test accuracy: raw pixels {raw_accuracy:.4f}, scaled pixels {scaled_accuracy:.4f}")


if __name__ == "__main__":
    main()
