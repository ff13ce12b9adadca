// rapidjson::CursorStreamWrapper for rapidjson 1.1.0 (Debian 12's rapidjson-dev), which predates
// it: CityFlow's JSON reader wraps its file stream in one to report the line of a parse error.
// Used by bench/bench_cityflow only when the CityFlow checkout has no extern/rapidjson.
#ifndef GREENWAVE_BENCH_CURSORSTREAMWRAPPER_H_
#define GREENWAVE_BENCH_CURSORSTREAMWRAPPER_H_

#include <cstddef>

#include "rapidjson/stream.h"

RAPIDJSON_NAMESPACE_BEGIN

/// Passes a stream through, counting lines and columns of what it takes.
template <typename InputStream, typename Encoding = UTF8<> >
class CursorStreamWrapper {
 public:
  typedef typename Encoding::Ch Ch;

  explicit CursorStreamWrapper(InputStream& is) : is_(is) {}

  Ch Peek() const { return is_.Peek(); }
  Ch Take() {
    const Ch ch = is_.Take();
    if (ch == '\n') {
      ++line_;
      column_ = 0;
    } else {
      ++column_;
    }
    return ch;
  }
  std::size_t Tell() { return is_.Tell(); }
  Ch* PutBegin() { return is_.PutBegin(); }
  void Put(Ch ch) { is_.Put(ch); }
  void Flush() { is_.Flush(); }
  std::size_t PutEnd(Ch* ch) { return is_.PutEnd(ch); }

  /// Line of the next character, from 1.
  std::size_t GetLine() const { return line_; }
  /// Characters taken since the last line break.
  std::size_t GetColumn() const { return column_; }

 private:
  InputStream& is_;
  std::size_t line_ = 1;
  std::size_t column_ = 0;
};

RAPIDJSON_NAMESPACE_END

#endif  // GREENWAVE_BENCH_CURSORSTREAMWRAPPER_H_
