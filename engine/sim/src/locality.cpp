// Stage 0, renumbering, and the threads' parts (docs/simulator.md, "Parallel step and locality"):
// drivables have a spatial rank, vehicle slots are renumbered in rank order every
// kRenumberPeriod steps, and each worker thread owns one contiguous range of ranks and the
// matching block of slots, so the per-slot and the per-drivable phases of one thread touch the
// same vehicles and cache lines rarely move between cores.
#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>
#include <span>

#include "greenwave/core/error.hpp"
#include "for_each_part.hpp"
#include "sim_state.hpp"
#include "stages.hpp"

namespace greenwave::sim {
namespace {
/// Reads the k-th int32 stored in the raw bytes of `storage` (a dead column used as scratch).
std::int32_t scratch_get(const std::vector<double>& storage, std::int32_t k) {
  std::int32_t x;
  std::memcpy(&x, reinterpret_cast<const std::byte*>(storage.data()) + static_cast<std::size_t>(k) * sizeof x, sizeof x);
  return x;
}
/// Writes the k-th int32 into the raw bytes of `storage`.
void scratch_set(std::vector<double>& storage, std::int32_t k, std::int32_t x) {
  std::memcpy(reinterpret_cast<std::byte*>(storage.data()) + static_cast<std::size_t>(k) * sizeof x, &x, sizeof x);
}

/// Reorders column[0, n) so that column'[i] = column[order[i]] (n = order.size()), through
/// the raw bytes of `scratch` (at least n * sizeof(T) bytes), in parallel over the parts;
/// then keeps the first n entries.
template <class T>
void gather(const SimState& st, std::vector<T>& column, const std::vector<std::int32_t>& order, std::vector<double>& scratch) {
  auto* bytes = reinterpret_cast<std::byte*>(scratch.data());
  const auto n = static_cast<std::int64_t>(order.size());
  // Equal shares of [0, n) per part: first into the scratch, then back into the column.
  auto share = [&](std::int32_t p) {
    const auto [first, last] = equal_share(st.parts, n, p);
    return std::pair<std::size_t, std::size_t>(static_cast<std::size_t>(first), static_cast<std::size_t>(last));
  };
  const bool split = n >= st.parts.parallel_min_items;
  for_each_part(st.parts, split, [&](std::int32_t p) {
    const auto [begin, end] = share(p);
    for (std::size_t i = begin; i < end; ++i) std::memcpy(bytes + i * sizeof(T), &column[static_cast<std::size_t>(order[i])], sizeof(T));
  });
  column.resize(static_cast<std::size_t>(n));
  for_each_part(st.parts, split, [&](std::int32_t p) {
    const auto [begin, end] = share(p);
    std::memcpy(column.data() + begin, bytes + begin * sizeof(T), (end - begin) * sizeof(T));
  });
}

/// Part p's occupied drivables, in rank order (st.index.active must be fresh).
std::span<const std::int32_t> occupied_of(const SimState& st, std::int32_t p) {
  return std::span<const std::int32_t>(st.index.active).subspan(static_cast<std::size_t>(st.parts.rank_begin[p]),
                                                                static_cast<std::size_t>(st.index.active_end[p] - st.parts.rank_begin[p]));
}

/// Renumbering, first pass: clears the old slot -> new slot map (kept in n_speed's dead storage;
/// kNone for free slots), each part an equal share of it, and sets each part's renumber base
/// (the vehicles and list blocks of the drivables of the parts before it). Returns the totals.
RenumberBase set_part_bases(SimState& st, std::int32_t slots, bool split) {
  Vehicles& s = st.vehicles;
  for_each_part(st.parts, split, [&](std::int32_t p) {
    const auto [first, last] = equal_share(st.parts, slots, p);
    for (auto v = static_cast<std::int32_t>(first); v < last; ++v) scratch_set(s.n_speed, v, kNone);
    RenumberBase count{0, 0};
    for (const std::int32_t d : occupied_of(st, p)) {
      count.first_slot += st.lists.size(d);
      count.pool_at += st.lists.capacity(d);
    }
    st.parts.renumber_bases[static_cast<std::size_t>(p)] = count;
  });
  RenumberBase end{0, 0};
  for (RenumberBase& base : st.parts.renumber_bases) {
    const RenumberBase count = base;
    base = end;
    end.first_slot += count.first_slot;
    end.pool_at += count.pool_at;
  }
  return end;
}

/// Renumbering, second pass: the new order (order[new slot] = old slot) and the old -> new map.
/// Running vehicles by drivable rank, front first (each part its own drivables, from its base);
/// then waiting ones by entry lane, renamed in their queues as they are numbered.
void number_vehicles(const SimModel& model, SimState& st, std::vector<std::int32_t>& order, bool split) {
  Vehicles& s = st.vehicles;
  order.resize(static_cast<std::size_t>(s.size()));
  for_each_part(st.parts, split, [&](std::int32_t p) {
    std::int32_t k = st.parts.renumber_bases[static_cast<std::size_t>(p)].first_slot;
    for (const std::int32_t d : occupied_of(st, p))
      for (const std::int32_t v : st.lists[d]) {
        order[static_cast<std::size_t>(k)] = v;
        scratch_set(s.n_speed, v, k++);
      }
  });
  std::int32_t numbered = st.acc.running;
  for (const LaneId l : model.entry_lanes) {
    auto& queue = st.entry.queue[l];
    for (std::size_t k = 0; k < queue.size(); ++k) {
      order[static_cast<std::size_t>(numbered)] = queue[k];
      scratch_set(s.n_speed, queue[k], numbered);
      queue[k] = numbered++;
    }
  }
  order.resize(static_cast<std::size_t>(numbered));
}

/// Renumbering, third pass: each part renames the vehicle references held by an equal share of
/// the vehicles, and lays its lists' blocks out in rank order from its base, numbered as in
/// `order` (so each part's lists share no cache line with another's).
void rename_and_lay_out(SimState& st, const std::vector<std::int32_t>& order, bool split) {
  Vehicles& s = st.vehicles;
  const auto numbered = static_cast<std::int32_t>(order.size());
  auto renamed = [&](std::int32_t v) { return v == kNone ? kNone : scratch_get(s.n_speed, v); };
  for_each_part(st.parts, split, [&](std::int32_t p) {
    const auto [first, last] = equal_share(st.parts, numbered, p);
    for (auto k = first; k < last; ++k) {
      const std::int32_t v = order[static_cast<std::size_t>(k)];
      s.leader[v] = renamed(s.leader[v]);
      s.blocker[v] = renamed(s.blocker[v]);
      s.n_blocker[v] = renamed(s.n_blocker[v]);
    }
    const RenumberBase base = st.parts.renumber_bases[static_cast<std::size_t>(p)];
    st.lists.renumber(occupied_of(st, p), base.pool_at, base.first_slot);
  });
}

}  // namespace

void build_rank_order(SimModel& model) {
  const RoadNetwork& net = *model.net;
  const std::int32_t lanes = net.num_lanes();
  const std::int32_t drivables = lanes + net.num_movements();
  // Intersections row by row (y, then x, then id): a part is a band of the city.
  std::vector<IntersectionId> by_position(static_cast<std::size_t>(net.num_intersections()));
  std::iota(by_position.begin(), by_position.end(), 0);
  std::sort(by_position.begin(), by_position.end(), [&](IntersectionId a, IntersectionId b) {
    const Point& pa = net.intersection_position[a];
    const Point& pb = net.intersection_position[b];
    return pa.y != pb.y ? pa.y < pb.y : pa.x != pb.x ? pa.x < pb.x : a < b;
  });
  std::vector<std::int32_t> place(static_cast<std::size_t>(net.num_intersections()));
  for (std::int32_t k = 0; k < static_cast<std::int32_t>(by_position.size()); ++k) place[by_position[k]] = k;
  // A drivable's home: the intersection a lane leads to, or a movement's own. At each home its
  // incoming lanes come before its movements, each in id order.
  auto home = [&](std::int32_t d) { return d < lanes ? net.road_to[net.lane_road[d]] : net.movement_intersection[d - lanes]; };
  model.rank_order.resize(static_cast<std::size_t>(drivables));
  std::iota(model.rank_order.begin(), model.rank_order.end(), 0);
  std::stable_sort(model.rank_order.begin(), model.rank_order.end(), [&](std::int32_t a, std::int32_t b) { return place[home(a)] < place[home(b)]; });
  model.rank_of.resize(static_cast<std::size_t>(drivables));
  for (std::int32_t r = 0; r < drivables; ++r) model.rank_of[model.rank_order[r]] = r;
}

void renumber_slots(const SimModel& model, SimState& st) {
  Vehicles& s = st.vehicles;
  const std::int32_t slots = s.size();
  if (slots == 0) return;
  const bool split = st.parts.threads > 1 && st.acc.running >= st.parts.parallel_min_items;
  if (st.index.newly_occupied) refresh_active(model, st, split);  // st.index.active names every occupied drivable from here on
  const RenumberBase end = set_part_bases(st, slots, split);
  GW_CHECK(end.first_slot == st.acc.running, "every running vehicle is on an occupied drivable");
  std::vector<std::int32_t>& order = st.move.movers;  // scratch between steps, capacity >= slots
  number_vehicles(model, st, order, split);
  rename_and_lay_out(st, order, split);
  st.lists.laid_out(end.pool_at);
  // Move every column into the new order (through n_dis's dead storage); free slots drop off.
  Vehicles::permuted_columns(s, [&](auto& column) { gather(st, column, order, s.n_dis); });
  gather(st, st.index.next, order, s.n_dis);
  s.n_speed.resize(order.size());
  s.n_dis.resize(order.size());
  s.free_slots.clear();
  order.clear();
  compute_parts(model, st);
}

void compute_parts(const SimModel& model, SimState& st) {
  const auto parts = static_cast<std::size_t>(st.parts.threads);
  const auto drivables = static_cast<std::int32_t>(model.rank_order.size());
  st.parts.rank_begin.assign(parts, 0);
  st.parts.slot_begin.assign(parts, 0);
  st.index.active_end.assign(parts, 0);
  st.parts.renumber_bases.assign(parts, RenumberBase{});
  // Equal shares of the running vehicles, cut between drivables (right after a renumbering the
  // slots are in this order, so the slot blocks match); with none running, equal rank ranges.
  // Uneven work per vehicle is evened out within each pass (work_shared). Cuts fall on multiples
  // of 64 ranks, so each part owns whole words of the rank bitmap, which marks every occupied
  // drivable: the vehicles are counted per word of it.
  const std::int32_t words = (drivables + 63) / 64;
  auto word_vehicles = [&](std::int32_t w) {
    std::int64_t n = 0;
    if (static_cast<std::size_t>(w) >= st.index.active_bits.size()) return n;  // no step index yet
    for (std::uint64_t bits = st.index.active_bits[static_cast<std::size_t>(w)]; bits != 0; bits &= bits - 1)
      n += st.lists.size(model.rank_order[static_cast<std::size_t>(w) * 64 + static_cast<std::size_t>(std::countr_zero(bits))]);
    return n;
  };
  std::int64_t total = 0;
  for (std::int32_t w = 0; w < words; ++w) total += word_vehicles(w);
  std::int64_t seen = 0;
  std::size_t p = 1;
  for (std::int32_t w = 0; w < words && p < parts; ++w) {
    const std::int32_t r = w * 64;
    const bool cut = total > 0 ? seen * static_cast<std::int64_t>(parts) >= static_cast<std::int64_t>(p) * total
                               : static_cast<std::int64_t>(r) * static_cast<std::int64_t>(parts) >=
                                     static_cast<std::int64_t>(p) * drivables;
    if (cut) {
      st.parts.rank_begin[p] = r;
      st.parts.slot_begin[p] = static_cast<std::int32_t>(seen);
      ++p;
    }
    seen += word_vehicles(w);
  }
  for (; p < parts; ++p) st.parts.rank_begin[p] = drivables, st.parts.slot_begin[p] = static_cast<std::int32_t>(seen);
  refresh_active(model, st, st.index.active_count >= st.parts.parallel_min_items);
}

}  // namespace greenwave::sim
