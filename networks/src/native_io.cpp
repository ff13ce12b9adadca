// The native format: Protobuf text (.pbtxt) and binary (.pb) encodings of greenwave.v1.Scenario.
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cstdint>
#include <vector>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <limits>

#include "greenwave/core/error.hpp"
#include "greenwave/core/phase_timing.hpp"
#include "greenwave/core/output_file.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "text_file.hpp"

namespace greenwave {
namespace {

/// Keeps the first parse error with its (1-based) position; TextFormat reports 0-based ones.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    if (!message_.empty()) return;
    line_ = line + 1;
    column_ = column + 1;
    message_ = message;
  }
  /// "line L, column C".
  std::string where() const { return "line " + std::to_string(line_) + ", column " + std::to_string(column_); }
  /// The parser's message, or "" when no error was reported.
  const std::string& message() const { return message_; }

 private:
  int line_ = 0;
  int column_ = 0;
  std::string message_;
};

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

/// Well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    std::uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d >> 6) != 0x2) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    constexpr std::uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

/// Proto3 strings must be UTF-8, but the text parser accepts any escaped bytes; a scenario that
/// held them could not be written as .pb and read back. Returns the path of the first bad field.
std::string first_non_utf8(const google::protobuf::Message& m, const std::string& path) {
  const auto* reflection = m.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(m, &fields);
  for (const auto* f : fields) {
    const std::string here = path + "/" + f->name();
    if (f->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      if (f->is_repeated()) {
        for (int k = 0; k < reflection->FieldSize(m, f); ++k)
          if (!valid_utf8(reflection->GetRepeatedString(m, f, k))) return here + "/" + std::to_string(k);
      } else if (!valid_utf8(reflection->GetString(m, f))) {
        return here;
      }
    } else if (f->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int k = 0; k < reflection->FieldSize(m, f); ++k) {
          const std::string bad = first_non_utf8(reflection->GetRepeatedMessage(m, f, k), here + "/" + std::to_string(k));
          if (!bad.empty()) return bad;
        }
      } else if (const std::string bad = first_non_utf8(reflection->GetMessage(m, f), here); !bad.empty()) {
        return bad;
      }
    }
  }
  return "";
}

bool has_extension(const std::string& path, const char* ext) {
  return std::filesystem::path(path).extension() == ext;
}

}  // namespace

v1::Scenario parse_native_text(std::string_view text, const std::string& file) {
  if (is_blank(text)) throw ScenarioError(file, "", "empty file, expected a greenwave.v1.Scenario in text format");
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw ScenarioError(file, "", "text larger than 2 GiB");
  const ScopedPhase phase("parse native text");
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  v1::Scenario scenario;
  google::protobuf::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  if (!parser.Parse(&input, &scenario)) {
    throw ScenarioError(file, errors.message().empty() ? "" : errors.where(),
                        errors.message().empty() ? "not a valid greenwave.v1.Scenario in text format"
                                                 : errors.message());
  }
  if (const std::string bad = first_non_utf8(scenario, ""); !bad.empty())
    throw ScenarioError(file, bad, "string is not valid UTF-8");
  return scenario;
}

v1::Scenario read_native(const std::string& path) {
  const std::string bytes = detail::read_text_file(path);
  if (!has_extension(path, ".pb")) return parse_native_text(bytes, path);
  if (bytes.empty()) throw ScenarioError(path, "", "empty file, expected a binary greenwave.v1.Scenario");
  const ScopedPhase phase("parse native binary");
  v1::Scenario scenario;
  if (!scenario.ParseFromString(bytes))
    throw ScenarioError(path, "", "not a binary greenwave.v1.Scenario (truncated or corrupt)");
  return scenario;
}

void write_native(const v1::Scenario& scenario, const std::string& path) {
  std::string bytes;
  if (has_extension(path, ".pb")) {
    if (!scenario.SerializeToString(&bytes)) throw ScenarioError(path, "", "cannot encode the scenario");
  } else if (has_extension(path, ".pbtxt")) {
    if (!google::protobuf::TextFormat::PrintToString(scenario, &bytes))
      throw ScenarioError(path, "", "cannot encode the scenario as text");
  } else {
    throw ScenarioError(path, "", "unknown extension, expected .pbtxt (text) or .pb (binary)");
  }
  write_file_atomically(path, bytes);
}

}  // namespace greenwave
