#include "greenwave/env/env.hpp"

#include <functional>
#include <numeric>

namespace greenwave {

std::int64_t ObservationSpec::size() const {
  return std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>());
}

}  // namespace greenwave
