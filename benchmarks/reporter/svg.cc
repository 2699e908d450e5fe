// svg.h: layout in fixed pixels, log10 x axis.
#include "benchmarks/reporter/svg.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace runnel {
namespace report {
namespace {

constexpr char kItems[] = "items_per_second";
constexpr int kWidth = 980;
constexpr int kLabelWidth = 380;  // case names, left of the plot
constexpr int kPlotRight = kWidth - 60;
constexpr int kTop = 70;          // title and legend above
constexpr int kGroupHeight = 26;  // a workload's title
constexpr int kRowHeight = 22;    // two bars of kBar and a gap
constexpr int kBar = 8;

const char* Colour(Role role) {
  switch (role) {
    case Role::kRunnel:
      return "#1f77b4";
    case Role::kLimit:
      return "#7f7f7f";
    case Role::kPeer:
      return "#ff7f0e";
  }
  return "#000000";
}

// The decades the axis spans, from every printable figure (M records/s).
void Decades(const std::vector<Workload>& workloads, const ResultSet& results,
             int* lo, int* hi) {
  double min = 1, max = 10;
  for (const Workload& w : workloads) {
    if (w.kind != Kind::kThroughput) continue;
    for (const Row& row : w.rows) {
      for (int size : kValueSizes) {
        const Figure f = RowFigure(results, row, size, kItems);
        if (!f.ok || f.median <= 0) continue;
        min = std::min(min, f.median / 1e6);
        max = std::max(max, f.median / 1e6);
      }
    }
  }
  *lo = static_cast<int>(std::floor(std::log10(min)));
  *hi = static_cast<int>(std::ceil(std::log10(max)));
  if (*hi <= *lo) *hi = *lo + 1;
}

class Chart {
 public:
  Chart(int lo, int hi) : lo_(lo), hi_(hi) {}

  double X(double mrecords) const {
    const double t = (std::log10(mrecords) - lo_) / (hi_ - lo_);
    return kLabelWidth + std::clamp(t, 0.0, 1.0) * (kPlotRight - kLabelWidth);
  }

  void Text(double x, double y, absl::string_view text,
            absl::string_view attrs = "") {
    absl::StrAppendFormat(&body_, "<text x=\"%.1f\" y=\"%.1f\" %s>%s</text>\n",
                          x, y, attrs, XmlEscape(text));
  }

  void Rect(double x, double y, double w, double h, absl::string_view fill,
            double opacity) {
    absl::StrAppendFormat(
        &body_,
        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
        "height=\"%.1f\" fill=\"%s\" fill-opacity=\"%.2f\"/>\n",
        x, y, std::max(w, 0.5), h, fill, opacity);
  }

  void Line(double x1, double y1, double x2, double y2) {
    absl::StrAppendFormat(&body_,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                          "y2=\"%.1f\" stroke=\"#dddddd\"/>\n",
                          x1, y1, x2, y2);
  }

  // One bar (or the reason there is none) at height y.
  void Bar(const Figure& f, Role role, double y, double opacity,
           absl::string_view size) {
    if (!f.ok) {
      Text(kLabelWidth + 4, y + kBar - 1,
           absl::StrCat(size, ": ", f.unavailable ? "unavailable" : "refused"),
           "font-size=\"9\" fill=\"#aa0000\"");
      return;
    }
    const double m = f.median / 1e6;
    Rect(kLabelWidth, y, X(m) - kLabelWidth, kBar, Colour(role), opacity);
    Text(X(m) + 3, y + kBar - 1, absl::StrFormat("%.3g", m), "font-size=\"9\"");
  }

  std::string body() const { return body_; }

 private:
  int lo_, hi_;
  std::string body_;
};

void Legend(Chart& c) {
  c.Text(10, 22,
         "Runnel beside machine limits and peers: records/s (log scale)",
         "font-size=\"15\" font-weight=\"bold\"");
  double x = 10;
  for (Role role : {Role::kRunnel, Role::kLimit, Role::kPeer}) {
    c.Rect(x, 34, 12, 10, Colour(role), 1);
    c.Text(x + 16, 43, RoleName(role), "font-size=\"11\"");
    x += 90;
  }
  c.Text(x, 43,
         "dark bar: 100 B values, light bar: 1 KiB values; labels in "
         "million records/s",
         "font-size=\"11\"");
}

void Axis(Chart& c, int lo, int hi, double bottom) {
  for (int d = lo; d <= hi; ++d) {
    const double x = c.X(std::pow(10.0, d));
    c.Line(x, kTop - 6, x, bottom);
    c.Text(x, kTop - 9,
           d >= 0 ? absl::StrCat(static_cast<int64_t>(std::pow(10.0, d)), "M")
                  : absl::StrFormat("%gM", std::pow(10.0, d)),
           "font-size=\"10\" text-anchor=\"middle\"");
  }
}

}  // namespace

std::string XmlEscape(absl::string_view text) {
  std::string out;
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(ch);
    }
  }
  return out;
}

std::string RenderSvg(const std::vector<Workload>& workloads,
                      const ResultSet& results) {
  int lo = 0, hi = 1;
  Decades(workloads, results, &lo, &hi);
  Chart chart(lo, hi);
  Legend(chart);
  double bottom = kTop;  // gridlines first, so bars are drawn over them
  for (const Workload& w : workloads) {
    if (w.kind != Kind::kThroughput) continue;
    bottom += kGroupHeight + kRowHeight * static_cast<double>(w.rows.size());
  }
  Axis(chart, lo, hi, bottom);
  double y = kTop;
  for (const Workload& w : workloads) {
    if (w.kind != Kind::kThroughput) continue;
    chart.Text(10, y + 17, w.title, "font-size=\"13\" font-weight=\"bold\"");
    y += kGroupHeight;
    for (const Row& row : w.rows) {
      chart.Text(kLabelWidth - 6, y + 13, row.bench_case,
                 absl::StrCat("font-size=\"10\" text-anchor=\"end\" fill=\"",
                              Colour(row.role), "\""));
      chart.Bar(RowFigure(results, row, kValueSizes[0], kItems), row.role,
                y + 2, 1.0, ValueSizeName(kValueSizes[0]));
      chart.Bar(RowFigure(results, row, kValueSizes[1], kItems), row.role,
                y + 2 + kBar + 1, 0.45, ValueSizeName(kValueSizes[1]));
      y += kRowHeight;
    }
  }
  const int height = static_cast<int>(y) + 20;
  return absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
      absl::StrFormat("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                      "height=\"%d\" viewBox=\"0 0 %d %d\" "
                      "font-family=\"sans-serif\">\n",
                      kWidth, height, kWidth, height),
      absl::StrFormat("<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
                      kWidth, height),
      chart.body(), "</svg>\n");
}

}  // namespace report
}  // namespace runnel
