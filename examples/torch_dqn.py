"""A small DQN in PyTorch that learns on greenwave.VectorEnv: the bindings serve Python learners too.

    /usr/bin/python3 examples/torch_dqn.py [SCENARIO] [--envs 4] [--episodes 15] [--tiny]

One Q-network is shared by every intersection of every env (parameter sharing): a batch row is
one agent's observation, and its action is a local phase. Invalid phases are masked with
``infos["action_mask"]`` both when acting and in the bootstrap target. VectorEnv hands back the
same NumPy buffers at every step (zero copy), so anything kept is copied into the replay buffer.
"""

import argparse
import os
import pathlib

import numpy as np
import torch
from torch import nn

import greenwave

DEFAULT_SCENARIO = pathlib.Path(__file__).resolve().parents[1] / "scenarios" / "demo_grid_2x2.pbtxt"


class QNet(nn.Module):
    """Observation -> one Q-value per (padded) phase."""

    def __init__(self, obs_dim: int, actions: int, hidden: int = 64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(obs_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                  nn.Linear(hidden, actions))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.body(obs)


class Replay:
    """A ring buffer of per-agent transitions (obs, action, reward, next obs, next mask, done)."""

    def __init__(self, capacity: int, obs_dim: int, actions: int):
        self.obs = np.zeros((capacity, obs_dim), np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), np.float32)
        self.next_mask = np.zeros((capacity, actions), bool)
        self.action = np.zeros(capacity, np.int64)
        self.reward = np.zeros(capacity, np.float32)
        self.done = np.zeros(capacity, np.float32)
        self.capacity, self.size, self.head = capacity, 0, 0

    def add(self, obs, action, reward, next_obs, next_mask, done) -> None:
        """Appends a batch of rows (copies them: the env's arrays are overwritten next step)."""
        idx = (self.head + np.arange(len(obs))) % self.capacity
        self.obs[idx], self.action[idx], self.reward[idx] = obs, action, reward
        self.next_obs[idx], self.next_mask[idx], self.done[idx] = next_obs, next_mask, done
        self.head = int((self.head + len(obs)) % self.capacity)
        self.size = min(self.size + len(obs), self.capacity)

    def sample(self, rng: np.random.Generator, n: int):
        """n random transitions as tensors."""
        i = rng.integers(0, self.size, n)
        return (torch.from_numpy(self.obs[i]), torch.from_numpy(self.action[i]), torch.from_numpy(self.reward[i]),
                torch.from_numpy(self.next_obs[i]), torch.from_numpy(self.next_mask[i]), torch.from_numpy(self.done[i]))


def masked_greedy(q: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Argmax over the allowed actions only."""
    return q.masked_fill(~mask, float("-inf")).argmax(-1)


def act(net: QNet, obs: np.ndarray, mask: np.ndarray, epsilon: float, rng: np.random.Generator) -> np.ndarray:
    """(N, agents) int32 epsilon-greedy actions; random ones are drawn among the allowed phases."""
    with torch.no_grad():
        greedy = masked_greedy(net(torch.tensor(obs)), torch.tensor(mask)).numpy()  # copies: env arrays are read-only
    scores = rng.random(mask.shape) * mask  # a uniformly random allowed action per agent
    explore = rng.random(greedy.shape) < epsilon
    return np.where(explore, scores.argmax(-1), greedy).astype(np.int32)


def main() -> None:
    p = argparse.ArgumentParser(description="PyTorch DQN on greenwave.VectorEnv (shared Q-network).")
    p.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO))
    p.add_argument("--envs", type=int, default=4, help="parallel envs in the VectorEnv")
    p.add_argument("--episodes", type=int, default=15, help="training episodes per env")
    p.add_argument("--reward", default="queue")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tiny", action="store_true", default=bool(os.environ.get("GREENWAVE_EXAMPLES_TINY")),
                   help="2 envs x 2 episodes of 300 s (for tests; also GREENWAVE_EXAMPLES_TINY=1)")
    a = p.parse_args()
    envs, episodes = (2, 2) if a.tiny else (a.envs, a.episodes)
    torch.manual_seed(a.seed)
    torch.set_num_threads(1)
    rng = np.random.default_rng(a.seed)

    scenario = greenwave.load_scenario(a.scenario, horizon=300 if a.tiny else None)
    venv = greenwave.VectorEnv(scenario, num_envs=envs, reward=a.reward)
    agents = len(venv.possible_agents)
    obs, infos = venv.reset(seed=a.seed)
    obs_dim, n_actions = obs.shape[-1], infos["action_mask"].shape[-1]
    # Inputs and targets of order 1: vehicle counts (every component but the phase one-hot) / 10,
    # rewards / 100.
    obs_scale = np.full(obs_dim, 0.1, np.float32)
    for c in venv.components:
        if c["name"] == "phase":
            obs_scale[c["offset"]:c["offset"] + c["size"]] = 1.0
    reward_scale = 0.01
    net, target = QNet(obs_dim, n_actions), QNet(obs_dim, n_actions)
    target.load_state_dict(net.state_dict())
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    replay = Replay(50_000, obs_dim, n_actions)
    gamma, batch = 0.95, 64

    print(f"{envs} envs x {agents} intersections, obs {obs_dim}, {n_actions} phases")
    finished, step, decay_steps = 0, 0, max(1, episodes * 40)
    after_end = np.zeros(envs, bool)  # envs whose next step is an autoreset
    while finished < episodes * envs:
        epsilon = max(0.05, 1.0 - step / decay_steps)
        prev_obs = obs.reshape(-1, obs_dim) * obs_scale  # a new array: the env's is overwritten next step
        actions = act(net, prev_obs, infos["action_mask"].reshape(-1, n_actions), epsilon, rng)
        obs, _, terminated, truncated, infos = venv.step(actions.reshape(envs, agents))
        # Next-step autoreset: an env that ended last step was reset now, ignoring its actions;
        # that (end -> reset observation) row is no transition. A truncated step is not a terminal
        # state, so bootstrap through it (done = terminated only).
        keep = np.repeat(~after_end, agents)
        done = np.repeat(terminated, agents).astype(np.float32)
        replay.add(prev_obs[keep], actions[keep], reward_scale * infos["rewards"].reshape(-1)[keep],
                   (obs.reshape(-1, obs_dim) * obs_scale)[keep],
                   infos["action_mask"].reshape(-1, n_actions)[keep], done[keep])
        step += 1
        after_end = terminated | truncated
        if after_end.any():
            finished += int(after_end.sum())
            m = infos["metrics"][after_end].mean(axis=0)
            names = venv.metric_names
            print(f"episodes {finished:3d}: average travel time {m[names.index('average_travel_time')]:7.1f} s, "
                  f"epsilon {epsilon:.2f}")
        if replay.size >= batch:
            o, act_b, r, o2, m2, d = replay.sample(rng, batch)
            with torch.no_grad():
                best = masked_greedy(net(o2), m2)  # double DQN: online net picks, target net rates
                target_q = r + gamma * (1 - d) * target(o2).gather(1, best[:, None]).squeeze(1)
            q = net(o).gather(1, act_b[:, None]).squeeze(1)
            loss = nn.functional.smooth_l1_loss(q, target_q)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 10.0)
            optimizer.step()
            if step % 50 == 0:
                target.load_state_dict(net.state_dict())

    # Greedy evaluation on a fresh single-env VectorEnv.
    evaluation = greenwave.VectorEnv(scenario, num_envs=1, reward=a.reward)
    obs, infos = evaluation.reset(seed=a.seed + 1000)
    while True:
        obs, _, terminated, truncated, infos = evaluation.step(
            act(net, obs.reshape(-1, obs_dim) * obs_scale, infos["action_mask"].reshape(-1, n_actions), 0.0,
                rng).reshape(1, agents))
        if terminated[0] or truncated[0]:
            break
    values = dict(zip(evaluation.metric_names, infos["metrics"][0]))
    print(f"greedy evaluation: served {values['served_vehicles']:.0f}, delay index {values['delay_index']:.3f}, "
          f"average travel time {values['average_travel_time']:.1f} s")


if __name__ == "__main__":
    main()
