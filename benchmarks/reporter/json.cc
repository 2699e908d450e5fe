// json.h: a recursive-descent parser.
#include "benchmarks/reporter/json.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace runnel {
namespace report {

class Json::Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::StatusOr<Json> Document() {
    Json value;
    if (absl::Status s = Value(&value, 0); !s.ok()) return s;
    SkipSpace();
    if (pos_ != text_.size()) return Error("trailing characters");
    return value;
  }

 private:
  static constexpr int kMaxDepth = 64;

  absl::Status Value(Json* out, int depth) {
    if (depth > kMaxDepth) return Error("nesting too deep");
    SkipSpace();
    if (pos_ == text_.size()) return Error("unexpected end");
    const char c = text_[pos_];
    if (c == '{') return Object(out, depth);
    if (c == '[') return Array(out, depth);
    if (c == '"') {
      out->type_ = Type::kString;
      return String(&out->string_);
    }
    if (Literal("true")) return Set(out, Type::kBool, true);
    if (Literal("false")) return Set(out, Type::kBool, false);
    if (Literal("null")) return Set(out, Type::kNull, false);
    return Number(out);
  }

  absl::Status Object(Json* out, int depth) {
    out->type_ = Type::kObject;
    ++pos_;  // '{'
    SkipSpace();
    if (Consume('}')) return absl::OkStatus();
    do {
      SkipSpace();
      std::string key;
      if (absl::Status s = String(&key); !s.ok()) return s;
      SkipSpace();
      if (!Consume(':')) return Error("':' expected");
      Json value;
      if (absl::Status s = Value(&value, depth + 1); !s.ok()) return s;
      out->members_.emplace_back(std::move(key), std::move(value));
      SkipSpace();
    } while (Consume(','));
    return Consume('}') ? absl::OkStatus() : Error("'}' expected");
  }

  absl::Status Array(Json* out, int depth) {
    out->type_ = Type::kArray;
    ++pos_;  // '['
    SkipSpace();
    if (Consume(']')) return absl::OkStatus();
    do {
      Json value;
      if (absl::Status s = Value(&value, depth + 1); !s.ok()) return s;
      out->items_.push_back(std::move(value));
      SkipSpace();
    } while (Consume(','));
    return Consume(']') ? absl::OkStatus() : Error("']' expected");
  }

  absl::Status String(std::string* out) {
    if (!Consume('"')) return Error("'\"' expected");
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return absl::OkStatus();
      if (static_cast<unsigned char>(c) < 0x20) {
        return Error("control character in a string");
      }
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (absl::Status s = Escape(out); !s.ok()) return s;
    }
    return Error("unterminated string");
  }

  absl::Status Escape(std::string* out) {
    if (pos_ == text_.size()) return Error("unterminated escape");
    const char c = text_[pos_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out->push_back(c);
        return absl::OkStatus();
      case 'b':
        out->push_back('\b');
        return absl::OkStatus();
      case 'f':
        out->push_back('\f');
        return absl::OkStatus();
      case 'n':
        out->push_back('\n');
        return absl::OkStatus();
      case 'r':
        out->push_back('\r');
        return absl::OkStatus();
      case 't':
        out->push_back('\t');
        return absl::OkStatus();
      case 'u':
        return Unicode(out);
    }
    return Error("bad escape");
  }

  // \uXXXX (a surrogate pair when needed) as UTF-8.
  absl::Status Unicode(std::string* out) {
    uint32_t cp = 0;
    if (!Hex4(&cp)) return Error("bad \\u escape");
    if (cp >= 0xD800 && cp < 0xDC00) {
      uint32_t low = 0;
      if (!Consume('\\') || !Consume('u') || !Hex4(&low) || low < 0xDC00 ||
          low > 0xDFFF) {
        return Error("bad surrogate pair");
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    return absl::OkStatus();
  }

  bool Hex4(uint32_t* out) {
    if (text_.size() - pos_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        return false;
      }
      v = v * 16 + static_cast<uint32_t>(d);
    }
    *out = v;
    return true;
  }

  absl::Status Number(Json* out) {
    out->type_ = Type::kNumber;
    if (Literal("NaN")) {
      out->number_ = std::numeric_limits<double>::quiet_NaN();
      return absl::OkStatus();
    }
    if (Literal("Infinity") || Literal("inf")) {
      out->number_ = std::numeric_limits<double>::infinity();
      return absl::OkStatus();
    }
    if (Literal("-Infinity") || Literal("-inf")) {
      out->number_ = -std::numeric_limits<double>::infinity();
      return absl::OkStatus();
    }
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (absl::ascii_isdigit(static_cast<unsigned char>(text_[pos_])) ||
            absl::StrContains("+-.eE", text_[pos_]))) {
      ++pos_;
    }
    if (pos_ == start) return Error("value expected");
    if (!absl::SimpleAtod(text_.substr(start, pos_ - start), &out->number_)) {
      pos_ = start;
      return Error("bad number");
    }
    return absl::OkStatus();
  }

  absl::Status Set(Json* out, Type type, bool value) {
    out->type_ = type;
    out->bool_ = value;
    return absl::OkStatus();
  }

  bool Literal(absl::string_view word) {
    if (!absl::StartsWith(text_.substr(pos_), word)) return false;
    pos_ += word.size();
    return true;
  }

  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void SkipSpace() {
    while (pos_ < text_.size() &&
           absl::ascii_isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON: ", what, " at byte ", pos_));
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

absl::StatusOr<Json> Json::Parse(absl::string_view text) {
  return Parser(text).Document();
}

const std::string& Json::string() const {
  static const std::string* const kEmpty = new std::string();
  return type_ == Type::kString ? string_ : *kEmpty;
}

const std::vector<Json>& Json::items() const { return items_; }

const std::vector<std::pair<std::string, Json>>& Json::members() const {
  return members_;
}

const Json& Json::Get(absl::string_view key) const {
  static const Json* const kNull = new Json();
  for (const auto& [name, value] : members_) {
    if (name == key) return value;
  }
  return *kNull;
}

bool Json::Has(absl::string_view key) const {
  for (const auto& member : members_) {
    if (member.first == key) return true;
  }
  return false;
}

}  // namespace report
}  // namespace runnel
