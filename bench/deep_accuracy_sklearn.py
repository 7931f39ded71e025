#!/usr/bin/python3
"""scikit-learn's MLPClassifier on the rows of `npm run bench -- accuracy` (bench/deep-accuracy.ts).

Same data: Fashion-MNIST from the Debian package dataset-fashion-mnist, the first N/2 training rows
of each class of the pair in file order, every test row of the two classes, each pixel z-scored
with the training mean and population std (a constant pixel becomes 0), as bench/fmnist.ts does.
Same run: hidden widths (256, 256), ReLU, batch 256, 10 epochs of shuffled minibatches, no L2
(alpha = 0), Adam and SGD (heavy-ball momentum 0.9, no Nesterov, constant lr) over the same lr
grids. What differs, and is sklearn's own: log-loss on a sigmoid output instead of MSE on ±1,
biases in every layer (ours has none, as the paper's MLP), Glorot-uniform initialisation.

Run: /usr/bin/python3 bench/deep_accuracy_sklearn.py [--rows 4000] [--epochs 10] [--pair 2:8 ...]
(needs python3-sklearn from apt). Not part of npm test.
"""
import argparse
import gzip
import os
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
LR_GRID = {'adam': [3e-4, 1e-3, 3e-3], 'sgd': [3e-3, 1e-2, 3e-2]}
FMNIST_DIR = os.environ.get('FMNIST_DIR', '/usr/share/datasets/fashion-mnist')


def read_idx(prefix):
    """Images (n, 784) as float64 and labels (n,) of one IDX pair."""
    with gzip.open(os.path.join(FMNIST_DIR, f'{prefix}-images-idx3-ubyte.gz')) as f:
        raw = f.read()
    if int.from_bytes(raw[0:4], 'big') != 2051:
        raise SystemExit(f'{prefix} images: not an IDX image file')
    n, rows, cols = (int.from_bytes(raw[4 * k:4 * k + 4], 'big') for k in (1, 2, 3))
    X = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows * cols).astype(np.float64)
    with gzip.open(os.path.join(FMNIST_DIR, f'{prefix}-labels-idx1-ubyte.gz')) as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return X, y


def first_of_classes(y, classes, per_class):
    """Indices of the first per_class rows of each class, in file order (bench/fmnist.ts)."""
    taken = {c: 0 for c in classes}
    out = []
    for i, label in enumerate(y):
        c = int(label)
        if c in taken and taken[c] < per_class:
            out.append(i)
            taken[c] += 1
    return np.array(out)


def pair(classes, rows, Xtr, ytr, Xte, yte):
    a, b = classes
    itr = first_of_classes(ytr, classes, rows // 2)
    per_test = min(int((yte == a).sum()), int((yte == b).sum()))
    ite = first_of_classes(yte, classes, per_test)
    Xa, Xb = Xtr[itr], Xte[ite]
    mean = Xa.mean(axis=0)
    std = Xa.std(axis=0)  # population std, as data/preprocess.ts
    const = Xa.min(axis=0) == Xa.max(axis=0)
    safe = np.where(const, 1.0, std)
    Za = np.where(const, 0.0, (Xa - mean) / safe)
    Zb = np.where(const, 0.0, (Xb - mean) / safe)
    return Za, (ytr[itr] == b).astype(int), Zb, (yte[ite] == b).astype(int)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--rows', type=int, default=4000)
    p.add_argument('--epochs', type=int, default=10)
    p.add_argument('--batch', type=int, default=256)
    p.add_argument('--pair', action='append', help='two class indices, e.g. 2:8 (default 2:8 and 6:0)')
    p.add_argument('--seeds', type=int, default=1, help='seeds per setting (mean reported)')
    args = p.parse_args()
    pairs = [tuple(int(c) for c in s.split(':')) for s in (args.pair or ['2:8', '6:0'])]
    Xtr, ytr = read_idx('train')
    Xte, yte = read_idx('t10k')
    warnings.simplefilter('ignore', ConvergenceWarning)
    t_all = time.time()
    for classes in pairs:
        A, ya, B, yb = pair(classes, args.rows, Xtr, ytr, Xte, yte)
        print(f'{CLASSES[classes[0]]} vs {CLASSES[classes[1]]}: {len(ya)} train rows, {len(yb)} test rows')
        for solver, grid in LR_GRID.items():
            for lr in grid:
                accs = []
                t0 = time.time()
                for seed in range(args.seeds):
                    clf = MLPClassifier(hidden_layer_sizes=(256, 256), activation='relu', solver=solver, alpha=0.0,
                                        batch_size=args.batch, learning_rate_init=lr, max_iter=args.epochs, shuffle=True,
                                        random_state=seed, tol=0.0, n_iter_no_change=10 ** 9, momentum=0.9,
                                        nesterovs_momentum=False, learning_rate='constant', beta_1=0.9, beta_2=0.999,
                                        epsilon=1e-8)
                    clf.fit(A, ya)
                    accs.append((clf.score(A, ya), clf.score(B, yb)))
                tr, te = np.mean(accs, axis=0)
                name = 'Adam' if solver == 'adam' else 'SGD(μ=0.9)'
                print(f'  sklearn {name} lr={lr:<7g} train {100 * tr:6.2f}%  test {100 * te:6.2f}%  ({time.time() - t0:.0f} s, {args.seeds} seed(s))')
    print(f'total {time.time() - t_all:.0f} s')


if __name__ == '__main__':
    main()
