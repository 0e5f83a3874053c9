"""Seed program 002 with autograd-lite: Keras's first MNIST model through compile/fit, then the same
model built by hand (NaiveDense, NaiveSequential, BatchGenerator) and trained with a GradientTape step.

    python examples/keras_style_mnist.py --dataset fashion-mnist
    python examples/keras_style_mnist.py --data-dir ../shared/data/mnist --holdout
"""
import argparse
import math

import numpy as np

import autograd_lite as ag
import autograd_lite.functional as F
from autograd_lite import nn

import mnist_data


# -- 1. the Keras way ---------------------------------------------------------
def keras_model(train_images, train_labels, test_images, test_labels, epochs, seed):
    model = ag.Model(nn.Sequential([
        nn.Dense(512, activation="relu", seed=seed),
        nn.Dense(10, activation="softmax", seed=seed + 1),
    ]))
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train_images, train_labels, epochs=epochs, batch_size=128, verbose=1, seed=seed)
    test_loss, test_accuracy = model.evaluate(test_images, test_labels, verbose=0)
    print(f"test accuracy: {test_accuracy:.4f} - test loss: {test_loss:.4f}")


# -- 2. the same model by hand --------------------------------------------------
class NaiveDense:
    def __init__(self, input_size, output_size, activation, rng):
        self.activation = activation
        self.W = ag.tensor(nn.init.uniform((input_size, output_size), 0.0, 1e-1, seed=rng), requires_grad=True)
        self.b = ag.tensor(nn.init.zeros((output_size,)), requires_grad=True)

    def __call__(self, inputs):
        return self.activation(inputs @ self.W + self.b)

    @property
    def weights(self):
        return [self.W, self.b]


class NaiveSequential:
    def __init__(self, layers):
        self.layers = layers

    def __call__(self, inputs):
        x = inputs
        for layer in self.layers:
            x = layer(x)
        return x

    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights]


class BatchGenerator:
    def __init__(self, images, labels, batch_size=128):
        assert len(images) == len(labels)
        self.index = 0
        self.images, self.labels = images, labels
        self.batch_size = batch_size
        self.num_batches = math.ceil(len(images) / batch_size)

    def next(self):
        images = self.images[self.index:self.index + self.batch_size]
        labels = self.labels[self.index:self.index + self.batch_size]
        self.index += self.batch_size
        return images, labels


def one_training_step(model, images_batch, labels_batch, optimizer):
    with ag.GradientTape() as tape:
        predictions = model(ag.tensor(images_batch))
        average_loss = F.sparse_categorical_crossentropy(predictions, labels_batch)
    gradients = tape.gradient(average_loss, model.weights)
    optimizer.apply_gradients(zip(gradients, model.weights))
    return average_loss


def fit(model, images, labels, epochs, optimizer, batch_size=128):
    for epoch_counter in range(epochs):
        print(f"Epoch {epoch_counter}")
        batch_generator = BatchGenerator(images, labels, batch_size)
        for batch_counter in range(batch_generator.num_batches):
            images_batch, labels_batch = batch_generator.next()
            loss = one_training_step(model, images_batch, labels_batch, optimizer)
            if batch_counter % 100 == 0:
                print(f"loss at batch {batch_counter}: {loss.item():.2f}")


def naive_model(train_images, train_labels, test_images, test_labels, epochs, seed):
    rng = np.random.default_rng(seed)
    model = NaiveSequential([
        NaiveDense(input_size=28 * 28, output_size=512, activation=F.relu, rng=rng),
        NaiveDense(input_size=512, output_size=10, activation=F.softmax, rng=rng),
    ])
    assert len(model.weights) == 4
    fit(model, train_images, train_labels, epochs, ag.optim.SGD(lr=1e-3))
    with ag.no_grad():
        predictions = model(ag.tensor(test_images)).numpy()
    predicted_labels = np.argmax(predictions, axis=1)
    matches = predicted_labels == test_labels
    print(f"accuracy: {matches.mean():.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mnist_data.add_arguments(parser)
    parser.add_argument("--epochs", type=int, default=5, help="epochs of the Keras-style model (default 5)")
    parser.add_argument("--naive-epochs", type=int, default=10, help="epochs of the hand-built model (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights and shuffling (default 0)")
    args = parser.parse_args()
    if args.epochs < 0 or args.naive_epochs < 0:
        parser.error("--epochs and --naive-epochs must be >= 0")

    data = mnist_data.load(args)
    print("\n1) Sequential([Dense(512, relu), Dense(10, softmax)]), rmsprop, batch 128, via compile/fit")
    keras_model(*data, args.epochs, args.seed)
    print("\n2) NaiveDense/NaiveSequential/BatchGenerator, GradientTape step, SGD lr 1e-3, batch 128")
    naive_model(*data, args.naive_epochs, args.seed)


if __name__ == "__main__":
    main()
