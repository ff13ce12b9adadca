"""Trains a small policy on greenwave.VectorEnv through Gymnasium's vector wrappers.

The policy is shared by every intersection: phase k's logit is w * (phase k's pressure),
rescaled to [-1, 1] by ``gymnasium.wrappers.vector.RescaleObservation`` (greenwave's
observation bounds are finite). w starts at 0 (uniform random phases) and follows a one-step
policy gradient on each agent's own reward (``infos["rewards"]``, the negative queue);
``RecordEpisodeStatistics`` reports the episodes. A positive w is MaxPressure's choice.

    PYTHONPATH=build/python python3 examples/gymnasium_vector.py scenarios/demo_grid_2x2.pbtxt
"""

import argparse

import gymnasium
import gymnasium.wrappers.vector as vw
import numpy as np

import greenwave


def train(scenario, envs=4, episodes=2, lr=0.05, seed=0, horizon=None):
    """Trains w; returns (w, mean episode return per finished batch of episodes)."""
    venv = greenwave.VectorEnv(scenario, num_envs=envs, observation="phase_pressure", reward="queue",
                               horizon=horizon)
    assert isinstance(venv, gymnasium.vector.VectorEnv)
    env = vw.RecordEpisodeStatistics(vw.RescaleObservation(venv, min_obs=np.float32(-1), max_obs=np.float32(1)))
    rng = np.random.default_rng(seed)
    w, baseline, returns = 0.0, 0.0, []
    obs, infos = env.reset(seed=seed)
    finished = 0
    while finished < episodes * envs:
        mask = infos["action_mask"]                                   # (envs, agents, phases)
        logits = np.where(mask, w * obs, -np.inf)
        p = np.exp(logits - logits.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        actions = (p.cumsum(axis=-1) > rng.random(p.shape[:-1])[..., None]).argmax(axis=-1)
        chosen = np.take_along_axis(obs, actions[..., None], axis=-1)[..., 0]
        grad = chosen - (p * np.where(mask, obs, 0.0)).sum(axis=-1)   # d log pi / d w
        obs, _, terminated, truncated, infos = env.step(actions)
        rewards = infos["rewards"] / 10.0                             # each agent's own reward
        w += lr * float(((rewards - baseline) * grad).mean())
        baseline = 0.9 * baseline + 0.1 * float(rewards.mean())
        if "episode" in infos:
            done = infos["_episode"]
            finished += int(done.sum())
            returns.append(float(infos["episode"]["r"][done].mean()))
    env.close()
    return w, returns


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scenario", nargs="?", default="scenarios/demo_grid_2x2.pbtxt")
    p.add_argument("--envs", type=int, default=4)
    p.add_argument("--episodes", type=int, default=2, help="episodes per env")
    p.add_argument("--horizon", type=float, default=None, help="seconds per episode (default: the scenario's)")
    p.add_argument("--tiny", action="store_true", help="4 envs x 2 episodes of 600 s (for tests)")
    a = p.parse_args()
    horizon = 600 if a.tiny else a.horizon
    w, returns = train(a.scenario, 4 if a.tiny else a.envs, 2 if a.tiny else a.episodes, horizon=horizon)
    print(f"w = {w:.3f} (positive: prefers the phase of highest pressure)")
    print("mean episode return per batch: " + ", ".join(f"{r:.1f}" for r in returns))


if __name__ == "__main__":
    main()
