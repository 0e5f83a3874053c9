"""What the MNIST examples share: the --dataset, --data-dir and --holdout options, and loading with them.

Without --holdout an example trains on the 60,000-image training split and
tests on the 10,000-image test split, downloading them if they are missing.
Where only MNIST's test split is at hand (as offline here), --holdout trains
on its first 8,000 images and tests on its last 2,000.
"""
import sys

import autograd_lite as ag

HOLDOUT_TRAIN = 8000
LOADERS = {"mnist": ag.data.mnist, "fashion-mnist": ag.data.fashion_mnist}
TITLES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}


def add_arguments(parser):
    parser.add_argument("--dataset", choices=sorted(LOADERS), default="mnist",
                        help="which images (default mnist; fashion-mnist has the same shapes)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder with the IDX files (default: $AUTOGRAD_LITE_DATA, then the download cache)")
    parser.add_argument("--no-download", action="store_true", help="fail instead of downloading missing files")
    parser.add_argument("--holdout", action="store_true",
                        help=f"use only the test split: train on its first {HOLDOUT_TRAIN:,} images and test on "
                             f"the rest (for when the training split is not at hand)")


def load(args, normalize=True):
    """(train_images, train_labels, test_images, test_labels) as the options ask; exits with the reason if missing."""
    loader, title = LOADERS[args.dataset], TITLES[args.dataset]
    try:
        test_images, test_labels = loader("test", args.data_dir, download=not args.no_download, normalize=normalize)
        if args.holdout:
            print(f"--holdout: training on the first {HOLDOUT_TRAIN:,} images of the {title} test split and "
                  f"testing on the last {len(test_images) - HOLDOUT_TRAIN:,} (not the original's 60,000/10,000)")
            return (test_images[:HOLDOUT_TRAIN], test_labels[:HOLDOUT_TRAIN],
                    test_images[HOLDOUT_TRAIN:], test_labels[HOLDOUT_TRAIN:])
    except (ag.data.DatasetNotFoundError, ag.data.IDXFormatError) as error:
        _exit(str(error))
    try:
        train_images, train_labels = loader("train", args.data_dir, download=not args.no_download, normalize=normalize)
    except ag.data.IDXFormatError as error:
        _exit(str(error))
    except ag.data.DatasetNotFoundError as error:
        _exit(f"{error}\n\nOnly the {title} test split was found. Run with --holdout to train on its first "
              f"{HOLDOUT_TRAIN:,} images and test on the rest, or use --dataset fashion-mnist.")
    print(f"{title}: {len(train_images):,} training and {len(test_images):,} test images")
    return train_images, train_labels, test_images, test_labels


def _exit(message):
    print(message, file=sys.stderr)
    sys.exit(2)
