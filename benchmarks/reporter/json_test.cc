// Json reads what Google Benchmark writes, and says where it stops.
#include "benchmarks/reporter/json.h"

#include <cmath>

#include "gtest/gtest.h"

namespace runnel {
namespace report {
namespace {

TEST(JsonTest, ReadsObjectsArraysAndScalars) {
  absl::StatusOr<Json> doc = Json::Parse(R"({
    "name": "BM_X/iterations:1",
    "n": -12.5e1, "ok": true, "no": false, "nothing": null,
    "list": [1, [2, 3], {"k": "v"}], "empty": {}, "none": []
  })");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->type(), Json::Type::kObject);
  EXPECT_EQ(doc->Get("name").string(), "BM_X/iterations:1");
  EXPECT_EQ(doc->Get("n").number(), -125);
  EXPECT_TRUE(doc->Get("ok").boolean());
  EXPECT_FALSE(doc->Get("no").boolean());
  EXPECT_TRUE(doc->Get("nothing").is_null());
  EXPECT_TRUE(doc->Has("nothing"));
  ASSERT_EQ(doc->Get("list").items().size(), 3u);
  EXPECT_EQ(doc->Get("list").items()[1].items()[1].number(), 3);
  EXPECT_EQ(doc->Get("list").items()[2].Get("k").string(), "v");
  EXPECT_TRUE(doc->Get("empty").members().empty());
  EXPECT_EQ(doc->Get("empty").type(), Json::Type::kObject);
  EXPECT_TRUE(doc->Get("none").items().empty());
  EXPECT_EQ(doc->members().size(), 8u);
  EXPECT_EQ(doc->members()[0].first, "name");  // document order
}

TEST(JsonTest, MissingMembersAndWrongTypesReadAsNull) {
  absl::StatusOr<Json> doc = Json::Parse(R"({"s": "x", "n": 1})");
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(doc->Get("absent").is_null());
  EXPECT_FALSE(doc->Has("absent"));
  EXPECT_EQ(doc->Get("s").number(), 0);
  EXPECT_EQ(doc->Get("n").string(), "");
  EXPECT_TRUE(doc->Get("s").Get("deeper").is_null());
}

TEST(JsonTest, DecodesEscapesAndUnicode) {
  absl::StatusOr<Json> doc =
      Json::Parse(R"(["a\"b\\c\/d\n\t", "\u00e9\u2192", "\ud83d\ude00"])");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->items()[0].string(), "a\"b\\c/d\n\t");
  EXPECT_EQ(doc->items()[1].string(), "\xc3\xa9\xe2\x86\x92");  // é→
  EXPECT_EQ(doc->items()[2].string(), "\xf0\x9f\x98\x80");      // 😀
}

TEST(JsonTest, ReadsTheNonFiniteNumbersTheLibraryPrints) {
  absl::StatusOr<Json> doc = Json::Parse("[NaN, Infinity, -Infinity, inf]");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_TRUE(std::isnan(doc->items()[0].number()));
  EXPECT_EQ(doc->items()[1].number(), INFINITY);
  EXPECT_EQ(doc->items()[2].number(), -INFINITY);
  EXPECT_EQ(doc->items()[3].number(), INFINITY);
}

TEST(JsonTest, RejectsMalformedTextNamingThePosition) {
  for (const char* bad :
       {"", "{", "[1,]", "{\"a\" 1}", "[1] x", "\"open", "[tru]",
        "{\"a\":\"\\q\"}", "[\"\\ud800\"]", "[1.2.3]"}) {
    absl::StatusOr<Json> doc = Json::Parse(bad);
    EXPECT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(doc.status().message().find("at byte"), absl::string_view::npos)
        << bad;
  }
  std::string deep(100, '[');
  deep += std::string(100, ']');
  EXPECT_FALSE(Json::Parse(deep).ok());  // nesting limit, no stack blow-up
}

}  // namespace
}  // namespace report
}  // namespace runnel
