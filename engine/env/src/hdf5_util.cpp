#include "hdf5_util.hpp"

#include <cstdio>
#include <cstring>
#include <mutex>

namespace greenwave::hdf5 {
namespace {

Handle utf8_string_type() {
  Handle t(H5Tcopy(H5T_C_S1), "string type");
  check(H5Tset_size(t.get(), H5T_VARIABLE), "string type size");
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "string type charset");
  return t;
}

herr_t close_any(hid_t id) {
  switch (H5Iget_type(id)) {
    case H5I_FILE: return H5Fclose(id);
    case H5I_GROUP: return H5Gclose(id);
    case H5I_DATASET: return H5Dclose(id);
    case H5I_DATASPACE: return H5Sclose(id);
    case H5I_DATATYPE: return H5Tclose(id);
    case H5I_ATTR: return H5Aclose(id);
    case H5I_GENPROP_LST: return H5Pclose(id);
    default: return H5Idec_ref(id);
  }
}

// H5Ewalk2 callback: keeps the errno of the innermost entry whose text reports one (the sec2
// driver writes "..., errno = 28, error message = 'No space left on device', ...").
herr_t find_errno(unsigned, const H5E_error2_t* entry, void* out) {
  const char* at = entry->desc ? std::strstr(entry->desc, "errno = ") : nullptr;
  int value = 0;
  if (at && std::sscanf(at, "errno = %d", &value) == 1 && value > 0) *static_cast<int*>(out) = value;
  return 0;
}

int os_error_on_stack() {
  int found = 0;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_errno, &found);
  return found;
}

}  // namespace

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    H5dont_atexit();  // fails harmlessly when another user (h5py) initialised HDF5 first
    H5open();
  });
}

Failure::Failure(const std::string& what) : std::runtime_error("HDF5: cannot " + what), os_error_(os_error_on_stack()) {}

Handle::Handle(hid_t id, const std::string& what) : id_(id) {
  if (id < 0) throw Failure(what);
}

Handle::~Handle() {
  if (id_ >= 0) close_any(id_);
}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0) close_any(id_);
    id_ = other.id_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void check(herr_t status, const std::string& what) {
  if (status < 0) throw Failure(what);
}

QuietErrors::QuietErrors() {
  H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

Handle file_access_without_locking() {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), "create a file access list");
  check(H5Pset_file_locking(fapl.get(), false, true), "disable file locking");
  return fapl;
}

void write_string_attribute(hid_t object, const char* name, const std::string& value) {
  const Handle type = utf8_string_type();
  const Handle space(H5Screate(H5S_SCALAR), "create a scalar space");
  const Handle attr(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                    std::string("create attribute ") + name);
  const char* text = value.c_str();
  check(H5Awrite(attr.get(), type.get(), &text), std::string("write attribute ") + name);
}

void write_strings_attribute(hid_t object, const char* name, const std::vector<std::string>& values) {
  const Handle type = utf8_string_type();
  const hsize_t n = values.size();
  const Handle space(H5Screate_simple(1, &n, nullptr), "create a 1-D space");
  const Handle attr(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                    std::string("create attribute ") + name);
  std::vector<const char*> texts;
  for (const std::string& v : values) texts.push_back(v.c_str());
  check(H5Awrite(attr.get(), type.get(), texts.data()), std::string("write attribute ") + name);
}

void write_int_attribute(hid_t object, const char* name, hid_t file_type, hid_t mem_type, const void* value) {
  const Handle space(H5Screate(H5S_SCALAR), "create a scalar space");
  const Handle attr(H5Acreate2(object, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                    std::string("create attribute ") + name);
  check(H5Awrite(attr.get(), mem_type, value), std::string("write attribute ") + name);
}

std::string read_string_attribute(hid_t object, const char* name) {
  const Handle attr(H5Aopen(object, name, H5P_DEFAULT), std::string("open attribute ") + name);
  const Handle file_type(H5Aget_type(attr.get()), std::string("read the type of attribute ") + name);
  if (H5Tget_class(file_type.get()) != H5T_STRING) throw std::runtime_error(std::string("attribute ") + name + " is not a string");
  if (H5Tis_variable_str(file_type.get()) > 0) {
    const Handle type = utf8_string_type();
    char* text = nullptr;
    check(H5Aread(attr.get(), type.get(), &text), std::string("read attribute ") + name);
    std::string out = text ? text : "";
    H5free_memory(text);
    return out;
  }
  const std::size_t size = H5Tget_size(file_type.get());
  std::string out(size, '\0');
  check(H5Aread(attr.get(), file_type.get(), out.data()), std::string("read attribute ") + name);
  return out.substr(0, out.find('\0'));
}

std::vector<std::string> read_strings_attribute(hid_t object, const char* name) {
  const Handle attr(H5Aopen(object, name, H5P_DEFAULT), std::string("open attribute ") + name);
  const Handle space(H5Aget_space(attr.get()), std::string("read the space of attribute ") + name);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 0) throw std::runtime_error(std::string("HDF5: cannot size attribute ") + name);
  const Handle type = utf8_string_type();
  std::vector<char*> texts(static_cast<std::size_t>(n), nullptr);
  check(H5Aread(attr.get(), type.get(), texts.data()), std::string("read attribute ") + name);
  std::vector<std::string> out;
  for (char* t : texts) {
    out.emplace_back(t ? t : "");
    H5free_memory(t);
  }
  return out;
}

void read_int_attribute(hid_t object, const char* name, hid_t mem_type, void* out) {
  const Handle attr(H5Aopen(object, name, H5P_DEFAULT), std::string("open attribute ") + name);
  check(H5Aread(attr.get(), mem_type, out), std::string("read attribute ") + name);
}

std::vector<hsize_t> dataset_dims(hid_t dataset) {
  const Handle space(H5Dget_space(dataset), "read a dataset's space");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw std::runtime_error("HDF5: cannot read a dataset's rank");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "read a dataset's dimensions");
  return dims;
}

}  // namespace greenwave::hdf5
