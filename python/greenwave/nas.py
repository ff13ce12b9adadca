"""greenwave.nas: architecture-performance predictors and predictor-driven search (docs/nas.md).

Data files are JSON objects ``{id: {"arch": ..., FIELD: number}}``; models are gpnas,
gpnas-exp, gpnas-cv, gpnas-exp-cv, ridge, krr, gbt, ensemble and ensemble-nnls; encodings are
``raw``, ``onehot``, ``mod<K>``, ``counts`` joined by ``+``.
"""

import os

from . import _greenwave

__all__ = ["cross_validate", "fit", "predict", "search"]


def cross_validate(data, target, model="ensemble", *, lower_is_better=False, target_scale=1.0, encoding="",
                   genes="", folds=5, seed=0):
    """K-fold CV of one model kind: a dict with ``kendall_tau`` and ``rmse`` (means over folds),
    ``fold_kendall_tau``, ``fold_rmse`` and the model's name."""
    return _greenwave._nas_cross_validate(os.fspath(data), target, lower_is_better, target_scale, model, encoding,
                                          genes, folds, seed)


def fit(data, target, out, model="ensemble", *, lower_is_better=False, target_scale=1.0, encoding="", genes="",
        seed=0):
    """Fits ``model`` on every entry of ``data`` and writes the predictor file ``out``."""
    _greenwave._nas_fit(os.fspath(data), target, os.fspath(out), model, lower_is_better, target_scale, encoding,
                        genes, seed)


def predict(model, archs):
    """Predictions of a predictor file for every entry of ``archs``: a dict id -> prediction."""
    return _greenwave._nas_predict(os.fspath(model), os.fspath(archs))


def search(model, budget, method="evolution", *, seed=0, population=50, sample=10):
    """Random search or regularized evolution with ``budget`` predictor calls: a dict with
    ``best_prediction``, ``best_arch`` (genes) and ``best_by_calls`` (best after each call)."""
    return _greenwave._nas_search(os.fspath(model), budget, method, seed, population, sample)
