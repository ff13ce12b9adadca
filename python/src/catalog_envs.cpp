// The C++ core of greenwave.CatalogEnv: any env of the catalog (engine/catalog) built by name
// from string options, with owned buffers NumPy reads without copies.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "greenwave/catalog/catalog.hpp"
#include "greenwave/core/error.hpp"

namespace greenwave::python {
namespace {

std::span<std::uint8_t> mask_bytes(const py::array_t<bool>& a) {
  return {reinterpret_cast<std::uint8_t*>(const_cast<bool*>(a.data())), static_cast<std::size_t>(a.size())};
}

template <class T>
std::span<T> span_of(const py::array_t<T>& a) {
  return {const_cast<T*>(a.data()), static_cast<std::size_t>(a.size())};
}

/// One catalog env with (agents, ...) buffers.
class CatalogCore {
 public:
  CatalogCore(const std::string& name, const EnvOptions& options)
      : name_(name), options_(env_catalog().resolve(name, options)), env_(env_catalog().at(name).factory(options_)) {
    const EnvSpec& s = env_->spec();
    const py::ssize_t agents = s.num_agents();
    obs_ = owned_buffer<float>({agents, static_cast<py::ssize_t>(s.observation.size())});
    rewards_ = owned_buffer<float>({agents});
    mask_ = owned_buffer<bool>({agents, s.max_actions});
  }

  void reset(std::uint64_t seed) {
    py::gil_scoped_release release;
    env_->reset(seed, span_of(obs_), info_);
    env_->action_mask(mask_bytes(mask_));
  }

  void step(const py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>& actions) {
    py::gil_scoped_release release;
    env_->step({actions.data(), static_cast<std::size_t>(actions.size())}, span_of(obs_), span_of(rewards_), info_);
    if (!info_.terminated && !info_.truncated) env_->action_mask(mask_bytes(mask_));
  }

  py::dict metrics() const {
    py::dict d;
    const auto& names = env_->metric_names();
    for (std::size_t i = 0; i < names.size() && i < info_.metric_values.size(); ++i) d[py::str(names[i])] = info_.metric_values[i];
    return d;
  }

  const Env& env() const { return *env_; }
  const StepInfo& info() const { return info_; }
  const EnvOptions& options() const { return options_; }
  const py::array_t<float>& obs() const { return obs_; }
  const py::array_t<float>& rewards() const { return rewards_; }
  const py::array_t<bool>& mask() const { return mask_; }

 private:
  std::string name_;
  EnvOptions options_;
  std::unique_ptr<Env> env_;
  StepInfo info_;
  py::array_t<float> obs_, rewards_;
  py::array_t<bool> mask_;
};

}  // namespace

void bind_catalog_envs(py::module_& m) {
  m.def("env_names", [] { return env_catalog().names(); }, "Names of the catalog's envs (greenwave.make accepts them).");
  m.def("env_options", [](const std::string& name) {
         py::list out;
         for (const EnvOption& o : env_catalog().at(name).options) {
           py::dict d;
           d["name"] = o.name;
           d["default"] = o.default_value;
           d["help"] = o.help;
           d["required"] = o.required;
           out.append(d);
         }
         return out;
       }, py::arg("name"), "The options of catalog env `name`: dicts with name, default, help, required.");
  py::class_<CatalogCore>(m, "_CatalogCore", "C++ core of greenwave.CatalogEnv (use greenwave.make).")
      .def(py::init<const std::string&, const EnvOptions&>(), py::arg("name"), py::arg("options"))
      .def("reset", &CatalogCore::reset, py::arg("seed"))
      .def("step", &CatalogCore::step, py::arg("actions"))
      .def("metrics", &CatalogCore::metrics)
      .def_property_readonly("obs", &CatalogCore::obs)
      .def_property_readonly("rewards", &CatalogCore::rewards)
      .def_property_readonly("action_mask", &CatalogCore::mask)
      .def_property_readonly("options", &CatalogCore::options)
      .def_property_readonly("terminated", [](const CatalogCore& c) { return c.info().terminated; })
      .def_property_readonly("truncated", [](const CatalogCore& c) { return c.info().truncated; })
      .def_property_readonly("name", [](const CatalogCore& c) { return c.env().spec().name; })
      .def_property_readonly("agent_ids", [](const CatalogCore& c) { return c.env().spec().agent_ids; })
      .def_property_readonly("action_counts", [](const CatalogCore& c) { return c.env().spec().action_counts; })
      .def_property_readonly("obs_size", [](const CatalogCore& c) { return c.env().spec().observation.size(); })
      .def_property_readonly("metric_names", [](const CatalogCore& c) { return c.env().metric_names(); })
      .def_property_readonly("obs_bounds", [](const CatalogCore& c) {
        const ObservationSpec& spec = c.env().spec().observation;
        py::array_t<float> low(spec.size()), high(spec.size());
        for (const ObservationComponent& comp : spec.components)
          for (std::int64_t k = comp.offset; k < comp.offset + comp.size; ++k) {
            low.mutable_at(k) = comp.low;
            high.mutable_at(k) = comp.high;
          }
        return std::make_pair(low, high);
      });
}

}  // namespace greenwave::python
