"""greenwave nas: GP-NAS checked against an independent NumPy transcription of REFERENCE.md §6,
and the data loader's errors through the command line."""

import json
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import BUILD

CLI = BUILD / "tools" / "greenwave"
EPS = 1e-7


def gpnas_numpy(x, y, xt, kernel, length=1.0, noise=0.0):
    """REFERENCE.md §6 line by line: phi = [x, 1], prior mean w0, Sigma_w = 0.01 I, posterior
    weights w, prediction phi* w + K* (K + eps I)^-1 (y - phi w). The CV variants scale the
    kernel's 16 / 12 by `length` and add `noise` to eps on K's diagonal (docs/nas.md)."""
    phi = np.c_[x, np.ones(len(x))]
    phit = np.c_[xt, np.ones(len(xt))]

    def k(a, b):
        d = a[:, None, :] - b[None, :, :]
        if kernel == "gpnas":
            return 0.5 * np.exp(-(d ** 2).sum(-1) / (16 * length))
        return np.exp(-np.sqrt((d ** 2).sum(-1)) / (12 * length))

    p = phi.shape[1]
    w0 = np.linalg.inv(phi.T @ phi + EPS * np.eye(p)) @ phi.T @ y
    sigma_w = 0.01 * np.eye(p)
    k_inv = np.linalg.inv(k(x, x) + (EPS + noise) * np.eye(len(x)))
    prior_inv = np.linalg.inv(sigma_w + EPS * np.eye(p))
    w = np.linalg.inv(phi.T @ k_inv @ phi + prior_inv + EPS * np.eye(p)) @ (phi.T @ k_inv @ y + prior_inv @ w0)
    return phit @ w + k(xt, x) @ k_inv @ (y - phi @ w)


def write(path, archs, targets=None):
    doc = {}
    for i, a in enumerate(archs):
        doc[f"a{i}"] = {"arch": a}
        if targets is not None:
            doc[f"a{i}"]["score"] = float(targets[i])
    path.write_text(json.dumps(doc))


def run(*args):
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True)


@pytest.mark.parametrize("kernel", ["gpnas", "gpnas-exp"])
def test_gpnas_matches_numpy_transcription(tmp_path, kernel):
    rng = np.random.default_rng(3)
    # 30 architectures of 5 genes (values 1..6) in [[gene, gene], ...] blocks plus one fixed
    # gene per block, so blocks are flattened and the constant genes dropped.
    genes = rng.integers(1, 7, size=(30, 6))
    genes[:, 5] = 4  # constant: not a feature
    y = 90 + genes[:, :5] @ np.array([0.3, -0.2, 0.1, 0.05, 0.4]) + rng.normal(0, 0.3, 30)
    archs = [[[int(g[0]), int(g[1])], [int(g[2]), int(g[3])], [int(g[4]), int(g[5])]] for g in genes]
    train, test = tmp_path / "train.json", tmp_path / "test.json"
    write(train, archs[:22], y[:22])
    write(test, archs[22:])
    model = tmp_path / "m.json"
    fit = run("nas", "fit", train, "--target", "score", "--model", kernel, "--out", model)
    assert fit.returncode == 0, fit.stderr
    out = run("nas", "predict", model, test, "--json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)["predictions"]
    expected = gpnas_numpy(genes[:22, :5].astype(float), y[:22], genes[22:, :5].astype(float), kernel)
    np.testing.assert_allclose([got[f"a{i}"] for i in range(8)], expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("kernel", ["gpnas-cv", "gpnas-exp-cv"])
def test_gpnas_cv_matches_numpy_at_its_chosen_length_and_noise(tmp_path, kernel):
    # Noisy targets on one-hot genes: the model file names the length multiplier and noise its
    # inner CV chose from the grids, and its predictions are the transcription's at those values.
    rng = np.random.default_rng(8)
    genes = rng.integers(1, 4, size=(40, 4))
    y = (genes == 2).sum(1) + rng.normal(0, 0.8, 40)
    archs = [[int(v) for v in g] for g in genes]
    train, test = tmp_path / "train.json", tmp_path / "test.json"
    write(train, archs[:32], y[:32])
    write(test, archs[32:])
    model = tmp_path / "m.json"
    fit = run("nas", "fit", train, "--target", "score", "--model", kernel, "--encoding", "onehot", "--out", model)
    assert fit.returncode == 0, fit.stderr
    regressor = json.loads(model.read_text())["model"]["regressor"]
    assert regressor["length"] in (0.25, 1, 4, 16) and regressor["noise"] in (0, 0.1, 1, 10)
    out = run("nas", "predict", model, test, "--json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)["predictions"]
    onehot = lambda g: (g[:, :, None] == np.arange(1, 4)).reshape(len(g), -1).astype(float)
    expected = gpnas_numpy(onehot(genes[:32]), y[:32], onehot(genes[32:]), kernel.replace("-cv", ""),
                           regressor["length"], regressor["noise"])
    np.testing.assert_allclose([got[f"a{i}"] for i in range(8)], expected, rtol=0, atol=1e-6)


def test_string_archs_onehot_and_cv_keys(tmp_path):
    rng = np.random.default_rng(5)
    archs = ["".join(rng.choice(list("abc"), 6)) for _ in range(40)]
    y = [s.count("a") - 0.5 * s.count("c") + rng.normal(0, 0.1) for s in archs]
    data = tmp_path / "s.json"
    write(data, archs, y)
    out = run("nas", "cv", data, "--target", "score", "--model", "ridge", "--folds", "4", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) >= {"kendall_tau", "rmse", "folds"}
    assert len(result["folds"]["ridge"]) == 4
    # A linear function of the one-hot genes with little noise ranks far above chance.
    assert result["kendall_tau"]["ridge"] > 0.6


@pytest.mark.parametrize(
    "doc, message",
    [
        ({"a": {"arch": [1, 2], "score": 1}, "b": {"arch": [1, 2, 3], "score": 1}}, r"/b/arch: has 3 genes, expected 2 \(as entry 'a'\)"),
        ({"a": {"arch": [1, 2], "score": 1}, "b": {"arch": [1, 2]}}, r"/b: missing target field 'score'"),
        ({"a": {"arch": [1, "x"], "score": 1}}, r"/a/arch/1: expected a number in arch"),
        ({"a": {"score": 1}}, r"/a: missing field 'arch'"),
        ({"a": {"arch": [[1, 2], [3]], "score": 1}}, r"/a/arch/1: expected a list of 2 numbers"),
        ({"a": {"arch": [1, 2], "score": "high"}}, r"/a/score: expected a number"),
    ],
)
def test_loader_errors_name_the_entry(tmp_path, doc, message):
    data = tmp_path / "bad.json"
    data.write_text(json.dumps(doc))
    out = run("nas", "cv", data, "--target", "score", "--model", "ridge")
    assert out.returncode != 0
    assert re.search(message, out.stderr), out.stderr


@pytest.mark.parametrize("method", ["random", "evolution", "dqn"])
def test_search_reports_best_per_call_count(tmp_path, method):
    # Score = number of genes equal to 2 (lower is better is off): ridge on one-hot learns it,
    # and every method's best never gets worse with more calls.
    rng = np.random.default_rng(7)
    archs = [[int(v) for v in rng.integers(1, 4, 6)] for _ in range(60)]
    y = [sum(v == 2 for v in a) for a in archs]
    data, model = tmp_path / "d.json", tmp_path / "m.json"
    write(data, archs, y)
    assert run("nas", "fit", data, "--target", "score", "--model", "ridge", "--out", model).returncode == 0
    out = run("nas", "search", model, "--budget", "300", "--method", method, "--seed", "1", "--json")
    if method == "dqn" and out.returncode != 0:
        # A build without agents/ (LibTorch) says so instead of searching.
        assert "--method: dqn needs a build with agents/ (LibTorch)" in out.stderr
        return
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    curve = list(result["best_by_calls"].values())
    assert list(result["best_by_calls"])[-1] == "300"
    assert curve == sorted(curve)
    assert result["best_prediction"] == curve[-1]
    assert len(result["best_arch"]) == 6


def test_python_api_matches_the_command_line(tmp_path):
    import greenwave

    rng = np.random.default_rng(11)
    archs = [[int(v) for v in rng.integers(1, 4, 5)] for _ in range(40)]
    y = [sum(v == 3 for v in a) + rng.normal(0, 0.1) for a in archs]
    data, model = tmp_path / "d.json", tmp_path / "m.json"
    write(data, archs, y)
    cv = greenwave.nas.cross_validate(data, "score", "ridge", folds=4, seed=2)
    cli = json.loads(run("nas", "cv", data, "--target", "score", "--model", "ridge", "--folds", "4", "--seed", "2",
                         "--json").stdout)
    assert cv["kendall_tau"] == pytest.approx(cli["kendall_tau"]["ridge"], abs=1e-12)
    assert len(cv["fold_rmse"]) == 4
    greenwave.nas.fit(data, "score", model, "gpnas")
    predictions = greenwave.nas.predict(model, data)
    assert list(predictions) == [f"a{i}" for i in range(40)]
    found = greenwave.nas.search(model, 50, "random", seed=1)
    assert len(found["best_by_calls"]) == 50
    assert found["best_prediction"] == max(found["best_by_calls"])
    with pytest.raises(greenwave.ConfigError, match="--model: unknown model 'forest'"):
        greenwave.nas.cross_validate(data, "score", "forest")


def test_make_nas_steps_the_search_env(tmp_path):
    import greenwave

    # Three genes over 1..3 (the fourth fixed); ridge on one-hot of y = number of 2s.
    rng = np.random.default_rng(4)
    archs = [[int(v) for v in rng.integers(1, 4, 3)] + [5] for _ in range(30)]
    data, model = tmp_path / "d.json", tmp_path / "m.json"
    write(data, archs, [sum(v == 2 for v in a) for a in archs])
    greenwave.nas.fit(data, "score", model, "ridge")
    env = greenwave.make("nas", model=str(model), max_steps=2, reward_scale=10)
    # Observation: 3 one-hots of 3 values + the step fraction; actions: 9 (gene, value) + stop.
    assert env.observation_space.shape == (10,) and env.action_space.n == 10
    obs, info = env.reset(seed=1)
    mask = info["action_mask"]
    assert mask[9] == 1 and mask.sum() == 1 + 3 * 2  # each gene's held value is masked
    before = info["metrics"]["score"]
    obs, reward, terminated, truncated, info = env.step(int(np.flatnonzero(mask[:9])[0]))
    assert reward == pytest.approx(10 * (info["metrics"]["score"] - before), rel=1e-5)
    obs, reward, terminated, truncated, info = env.step(9)  # stop
    assert terminated and not truncated and reward == 0
    with pytest.raises(greenwave.ConfigError, match="model"):
        greenwave.make("nas", max_steps=2)


def test_noise_ceiling_recovers_a_known_noise_share(tmp_path):
    # y = a sum of per-gene effects (variance 1 by construction) + independent noise of
    # variance 1: noise share 0.5, so a predictor knowing the signal ranks at
    # (2/pi) asin(sqrt(0.5)) = 0.5. Type-II ML on 200 entries recovers the share within 0.1.
    rng = np.random.default_rng(2)
    genes = rng.integers(0, 3, size=(200, 6))
    effects = rng.normal(0, 1, size=(6, 3))
    signal = effects[np.arange(6), genes].sum(1)
    signal = (signal - signal.mean()) / signal.std()
    y = signal + rng.normal(0, 1, 200)
    data = tmp_path / "d.json"
    write(data, [[int(v) for v in g] for g in genes], y)
    tool = pathlib.Path(__file__).resolve().parents[2] / "tools" / "nas-noise-ceiling"
    out = subprocess.run([sys.executable, str(tool), str(data), "--target", "score", "--encoding", "onehot", "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["features"] == 18
    assert abs(result["noise_share"] - 0.5) < 0.1
    assert result["oracle_tau"] == pytest.approx(2 / np.pi * np.arcsin(np.sqrt(1 - result["noise_share"])), abs=1e-12)
