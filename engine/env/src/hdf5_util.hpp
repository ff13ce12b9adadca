// Small RAII and error helpers over the HDF5 C API, shared by the trajectory writer and reader.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace greenwave::hdf5 {

/// Prepares the library, once per process, before its first use: HDF5's exit handler is not
/// installed, because it would crash closing a file whose close already failed (a full disk);
/// every identifier greenwave opens is closed by a Handle anyway.
void init();

/// An HDF5 call that failed; os_error() is the errno HDF5 recorded (ENOSPC, EFBIG, ...) when an
/// operating-system call was the cause, else 0.
class Failure : public std::runtime_error {
 public:
  /// "HDF5: cannot WHAT", with the errno read from HDF5's current error stack.
  explicit Failure(const std::string& what);
  /// The errno of the system call that failed, or 0.
  int os_error() const noexcept { return os_error_; }

 private:
  int os_error_;
};

/// Owns one HDF5 identifier and closes it with the matching H5?close.
class Handle {
 public:
  /// Takes `id`; throws Failure naming `what` when it is negative (an HDF5 failure).
  Handle(hid_t id, const std::string& what);
  Handle() = default;
  ~Handle();
  Handle(Handle&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  /// The identifier.
  hid_t get() const { return id_; }
  /// Forgets the identifier without closing it (the object stays open until the process ends).
  void abandon() { id_ = H5I_INVALID_HID; }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

/// Throws Failure naming `what` when an HDF5 call returned a negative status.
void check(herr_t status, const std::string& what);

/// Silences HDF5's automatic error-stack printing for its lifetime (errors become exceptions).
class QuietErrors {
 public:
  QuietErrors();
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

/// A file-access property list with HDF5 file locking off (h5py can read a file being written).
Handle file_access_without_locking();

/// Writes a scalar variable-length UTF-8 string attribute.
void write_string_attribute(hid_t object, const char* name, const std::string& value);
/// Writes a 1-D variable-length UTF-8 string array attribute.
void write_strings_attribute(hid_t object, const char* name, const std::vector<std::string>& values);
/// Writes a scalar integer attribute stored as `file_type` (e.g. H5T_STD_I64LE).
void write_int_attribute(hid_t object, const char* name, hid_t file_type, hid_t mem_type, const void* value);

/// Reads a scalar string attribute (fixed or variable length).
std::string read_string_attribute(hid_t object, const char* name);
/// Reads a 1-D string array attribute (variable length).
std::vector<std::string> read_strings_attribute(hid_t object, const char* name);
/// Reads a scalar integer attribute converted to `mem_type` into `out`.
void read_int_attribute(hid_t object, const char* name, hid_t mem_type, void* out);
/// The dimensions of a dataset.
std::vector<hsize_t> dataset_dims(hid_t dataset);

}  // namespace greenwave::hdf5
