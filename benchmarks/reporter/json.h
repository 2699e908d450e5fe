// A small JSON reader for Google Benchmark's --benchmark_format=json output
// (the report's only input). Objects, arrays, strings with escapes
// (\uXXXX as UTF-8), numbers, true/false/null, and the NaN / Infinity /
// -Infinity that the library prints for undefined statistics.
//
//   absl::StatusOr<runnel::report::Json> doc =
//       runnel::report::Json::Parse(text);
//   for (const Json& b : doc->Get("benchmarks").items()) {
//     double rate = b.Get("items_per_second").number();
//   }
//
// Missing members and wrong types read as a null Json (number() 0, string()
// empty): the caller decides what is required.
//
// Thread-safety: immutable after Parse. Ownership: a Json owns its
// children.
#ifndef RUNNEL_BENCHMARKS_REPORTER_JSON_H_
#define RUNNEL_BENCHMARKS_REPORTER_JSON_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace runnel {
namespace report {

class Json {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  // InvalidArgument naming the byte position of the first error.
  static absl::StatusOr<Json> Parse(absl::string_view text);

  Json() = default;

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool boolean() const { return type_ == Type::kBool && bool_; }
  double number() const { return type_ == Type::kNumber ? number_ : 0; }
  const std::string& string() const;
  // Array elements (empty unless an array).
  const std::vector<Json>& items() const;
  // Object members in document order (empty unless an object).
  const std::vector<std::pair<std::string, Json>>& members() const;
  // The member `key` of an object, or a null Json.
  const Json& Get(absl::string_view key) const;
  bool Has(absl::string_view key) const;

 private:
  class Parser;

  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<Json> items_;
  std::vector<std::pair<std::string, Json>> members_;
};

}  // namespace report
}  // namespace runnel

#endif  // RUNNEL_BENCHMARKS_REPORTER_JSON_H_
