"""A small convolutional network on MNIST or Fashion-MNIST, the PyTorch way (a training loop) or the
Keras way (compile and fit), printing test accuracy after every epoch.

    python examples/cnn_mnist.py --dataset fashion-mnist                 # the issue's network, 5 epochs
    python examples/cnn_mnist.py --dataset fashion-mnist --style keras   # the same through Model.fit
    python examples/cnn_mnist.py --model lenet5 --data-dir ../shared/data/mnist --holdout
    python examples/cnn_mnist.py --dataset fashion-mnist --model vgg --lr-schedule cosine   # 90% and more

Networks (28x28 grey images; NCHW for the loop, channels last with Keras's layers for fit):
  small   Conv2d(1,8,3,padding=1) ReLU MaxPool2d(2) Conv2d(8,16,3,padding=1) ReLU MaxPool2d(2) Flatten Linear(784,10)
  lenet5  LeCun et al. 1998, as usually written today: Conv2d(1,6,5,padding=2) ReLU MaxPool2d(2)
          Conv2d(6,16,5) ReLU MaxPool2d(2) Flatten Linear(400,120) ReLU Linear(120,84) ReLU Linear(84,10)
  vgg     two VGG-style blocks (two 3x3 convolutions, each with batch norm and ReLU, then a 2x2 max pool),
          the usual small CNN for Fashion-MNIST: [Conv2d(·,32,3,padding=1) BatchNorm2d ReLU] x2 MaxPool2d(2)
          [Conv2d(·,64,3,padding=1) BatchNorm2d ReLU] x2 MaxPool2d(2) Flatten Dropout(0.25) Linear(3136,128)
          ReLU Dropout(0.5) Linear(128,10)
The Keras style builds the same networks from Conv2D(padding="same"), BatchNormalization, MaxPooling2D,
Flatten, Dropout and Dense (Glorot-uniform weights and Keras's batch-norm momentum and epsilon, as Keras
sets them).

--lr-schedule cosine lowers Adam's rate along half a cosine, once per epoch, from --lr to 0 after the last
epoch: CosineAnnealingLR(optimizer, T_max=epochs) in the loop, the LearningRateScheduler callback for fit.
"""
import argparse
import math
import time

import numpy as np

import autograd_lite as ag
import autograd_lite.functional as F
from autograd_lite import nn

import mnist_data


def small(seed):
    rng = np.random.default_rng(seed)  # one stream: every layer gets its own draws
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, seed=rng), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1, seed=rng), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(16 * 7 * 7, 10, seed=rng))


def lenet5(seed):
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2, seed=rng), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5, seed=rng), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(16 * 5 * 5, 120, seed=rng), nn.ReLU(),
                         nn.Linear(120, 84, seed=rng), nn.ReLU(), nn.Linear(84, 10, seed=rng))


def small_keras(seed):
    rng = np.random.default_rng(seed)
    return nn.Sequential([nn.Conv2D(8, 3, padding="same", activation="relu", seed=rng), nn.MaxPooling2D(),
                          nn.Conv2D(16, 3, padding="same", activation="relu", seed=rng), nn.MaxPooling2D(),
                          nn.Flatten(), nn.Dense(10, seed=rng)])


def lenet5_keras(seed):
    rng = np.random.default_rng(seed)
    return nn.Sequential([nn.Conv2D(6, 5, padding="same", activation="relu", seed=rng), nn.MaxPooling2D(),
                          nn.Conv2D(16, 5, activation="relu", seed=rng), nn.MaxPooling2D(),
                          nn.Flatten(), nn.Dense(120, activation="relu", seed=rng),
                          nn.Dense(84, activation="relu", seed=rng), nn.Dense(10, seed=rng)])


def vgg(seed):
    rng = np.random.default_rng(seed)

    def block(in_channels, channels):
        return [nn.Conv2d(in_channels, channels, 3, padding=1, seed=rng), nn.BatchNorm2d(channels), nn.ReLU(),
                nn.Conv2d(channels, channels, 3, padding=1, seed=rng), nn.BatchNorm2d(channels), nn.ReLU(),
                nn.MaxPool2d(2)]

    return nn.Sequential(*block(1, 32), *block(32, 64), nn.Flatten(), nn.Dropout(0.25, seed=rng),
                         nn.Linear(64 * 7 * 7, 128, seed=rng), nn.ReLU(), nn.Dropout(0.5, seed=rng),
                         nn.Linear(128, 10, seed=rng))


def vgg_keras(seed):
    rng = np.random.default_rng(seed)

    def block(filters):
        return [nn.Conv2D(filters, 3, padding="same", seed=rng), nn.BatchNormalization(), nn.ReLU(),
                nn.Conv2D(filters, 3, padding="same", seed=rng), nn.BatchNormalization(), nn.ReLU(),
                nn.MaxPooling2D()]

    return nn.Sequential([*block(32), *block(64), nn.Flatten(), nn.Dropout(0.25, seed=rng),
                          nn.Dense(128, activation="relu", seed=rng), nn.Dropout(0.5, seed=rng),
                          nn.Dense(10, seed=rng)])


# PyTorch's layers on NCHW images for the training loop; Keras's on channels-last images for fit
MODELS = {"small": {"pytorch": small, "keras": small_keras}, "lenet5": {"pytorch": lenet5, "keras": lenet5_keras},
          "vgg": {"pytorch": vgg, "keras": vgg_keras}}


def accuracy(model, images, labels, batch_size=1000):
    model.eval()
    with ag.no_grad():
        predicted = np.concatenate([model(images[i:i + batch_size]).data.argmax(axis=1)
                                    for i in range(0, len(images), batch_size)])
    model.train()
    return float(np.mean(predicted == labels))


def train_pytorch_style(model, data, args):
    train_images, train_labels, test_images, test_labels = data
    optimizer = ag.optim.Adam(model.parameters(), lr=args.lr)
    loader = ag.data.DataLoader(ag.data.TensorDataset(train_images, train_labels), batch_size=args.batch_size,
                                shuffle=True, seed=args.seed)
    cosine = args.lr_schedule == "cosine"
    scheduler = ag.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs) if cosine else None
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        total, seen = 0.0, 0
        for images, labels in loader:
            loss = F.cross_entropy(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, seen = total + loss.item() * len(labels), seen + len(labels)
        seconds = time.perf_counter() - start
        # the epoch's mean training loss, as Keras's progress line shows it
        print(f"epoch {epoch}: loss {total / seen:.4f} - test accuracy {accuracy(model, test_images, test_labels):.2%} "
              f"- {seconds:.1f} s", flush=True)
        if scheduler:
            scheduler.step()


class TestAccuracy(ag.training.Callback):
    """Print the test accuracy after every epoch of ``fit``, as the PyTorch-style loop does."""

    def __init__(self, images, labels):
        self.images, self.labels = images, labels

    def on_epoch_end(self, epoch, logs=None):
        _, test_accuracy = self.model.evaluate(self.images, self.labels, batch_size=1000, verbose=0)
        print(f"epoch {epoch + 1}: test accuracy {test_accuracy:.2%}", flush=True)


def train_keras_style(model, data, args):
    train_images, train_labels, test_images, test_labels = data
    keras_model = ag.Model(model)
    keras_model.compile(optimizer=ag.optim.Adam(model.parameters(), lr=args.lr),
                        loss=nn.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    callbacks = [TestAccuracy(test_images, test_labels)]
    if args.lr_schedule == "cosine":  # Keras's callbacks count epochs from 0, as the closed form does
        callbacks.append(ag.callbacks.LearningRateScheduler(
            lambda epoch, lr: args.lr * (1 + math.cos(math.pi * epoch / args.epochs)) / 2))
    keras_model.fit(train_images, train_labels, batch_size=args.batch_size, epochs=args.epochs, verbose=2,
                    seed=args.seed, callbacks=callbacks)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mnist_data.add_arguments(parser)
    parser.add_argument("--model", choices=sorted(MODELS), default="small", help="which network (default small)")
    parser.add_argument("--style", choices=("pytorch", "keras"), default="pytorch",
                        help="a training loop written out (default) or Model.compile/fit")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate (default 1e-3)")
    parser.add_argument("--lr-schedule", choices=("constant", "cosine"), default="constant",
                        help="keep --lr (default), or lower it along half a cosine to 0 over the epochs")
    parser.add_argument("--train-limit", type=int, metavar="N", help="train on only the first N images (a quick try)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    train_images, train_labels, test_images, test_labels = mnist_data.load(args)
    if args.train_limit:
        train_images, train_labels = train_images[:args.train_limit], train_labels[:args.train_limit]
    layout = (-1, 1, 28, 28) if args.style == "pytorch" else (-1, 28, 28, 1)  # NCHW, or Keras's channels last
    as_images = lambda images: images.reshape(layout).astype(np.float32)  # noqa: E731
    data = as_images(train_images), train_labels.astype(np.int64), as_images(test_images), test_labels.astype(np.int64)
    model = MODELS[args.model][args.style](args.seed)
    with ag.no_grad():  # Keras's layers take their sizes from the first batch they see; in eval mode that
        model.eval()(data[0][:1])  # image moves no batch-norm statistics and draws no dropout mask
    model.train()
    schedule = " (cosine schedule)" if args.lr_schedule == "cosine" else ""
    print(f"{args.model}: {sum(p.size for p in model.parameters()):,} parameters; Adam lr {args.lr:g}{schedule}, "
          f"batch {args.batch_size}, {args.epochs} epoch{'s' if args.epochs != 1 else ''}, "
          f"{len(data[0]):,} training images", flush=True)
    (train_keras_style if args.style == "keras" else train_pytorch_style)(model, data, args)


if __name__ == "__main__":
    main()
