// The in-house Prometheus text exposition (format 0.0.4) and the metric
// types behind /metrics: escaping, histogram buckets, bounded label sets.
#include "observability/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "observability/metrics.hpp"

namespace arcp::observability {
namespace {

using namespace std::chrono_literals;

TEST(PrometheusText, FamilyWritesHelpThenType) {
  PrometheusText out;
  out.family("arcp_x_total", "counter", "What x counts.");
  out.sample("arcp_x_total", std::uint64_t{7});
  EXPECT_EQ(out.text(),
            "# HELP arcp_x_total What x counts.\n"
            "# TYPE arcp_x_total counter\n"
            "arcp_x_total 7\n");
}

TEST(PrometheusText, HelpEscapesBackslashAndNewlineOnly) {
  EXPECT_EQ(escape_help("a\\b\nc\"d"), "a\\\\b\\nc\"d");
}

TEST(PrometheusText, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(escape_label_value("a\\b\nc\"d"), "a\\\\b\\nc\\\"d");
  PrometheusText out;
  std::vector<Label> labels{{"reason", "bad \"x\"\n"}, {"op", "commit"}};
  out.sample("arcp_y", labels, std::uint64_t{1});
  EXPECT_EQ(out.text(), "arcp_y{reason=\"bad \\\"x\\\"\\n\",op=\"commit\"} 1\n");
}

TEST(PrometheusText, SampleValues) {
  EXPECT_EQ(format_sample_value(3), "3");
  EXPECT_EQ(format_sample_value(-2), "-2");
  EXPECT_EQ(format_sample_value(0.25), "0.25");
  EXPECT_EQ(format_sample_value(0.0005), "0.0005");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_sample_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(PrometheusText, HistogramBucketsAreCumulativeEndingInInfWithSumAndCount) {
  PrometheusText out;
  std::vector<double> bounds{0.1, 1};
  std::vector<std::uint64_t> counts{2, 3, 1};  // ≤0.1, ≤1, overflow
  Label op{"op", "commit"};
  out.histogram("arcp_h_seconds", std::span<const Label>(&op, 1), bounds, counts, 4.5);
  EXPECT_EQ(out.text(),
            "arcp_h_seconds_bucket{op=\"commit\",le=\"0.1\"} 2\n"
            "arcp_h_seconds_bucket{op=\"commit\",le=\"1\"} 5\n"
            "arcp_h_seconds_bucket{op=\"commit\",le=\"+Inf\"} 6\n"
            "arcp_h_seconds_sum{op=\"commit\"} 4.5\n"
            "arcp_h_seconds_count{op=\"commit\"} 6\n");
}

TEST(Metrics, HistogramPutsEachObservationInItsBucket) {
  Histogram h({0.001, 0.01});
  h.observe(500us);   // ≤ 1 ms
  h.observe(1ms);     // a bound is inclusive
  h.observe(5ms);     // ≤ 10 ms
  h.observe(2000ms);  // overflow
  EXPECT_EQ(h.counts(), (std::vector<std::uint64_t>{2, 1, 1}));
  EXPECT_EQ(h.count(), 4U);
  EXPECT_NEAR(h.sum_seconds(), 2.0065, 1e-9);
}

TEST(Metrics, LabelledCounterRendersEverySeries) {
  LabelledCounter c({"op", "outcome"}, {{"issue", "ok"}, {"issue", "failed"}});
  c.add(1, 3);
  c.add(7);  // out of range: ignored, never a new series
  PrometheusText out;
  c.render(out, "arcp_c_total");
  EXPECT_EQ(out.text(),
            "arcp_c_total{op=\"issue\",outcome=\"ok\"} 0\n"
            "arcp_c_total{op=\"issue\",outcome=\"failed\"} 3\n");
}

TEST(Metrics, BoundedLabelsCapTheSeriesAndFoldTheRestIntoOther) {
  BoundedLabelCounter c("reason");
  for (int i = 0; i < 1000; ++i) c.add("reason_" + std::to_string(i));
  EXPECT_EQ(c.series(), BoundedLabelCounter::kMaxSeries);
  EXPECT_EQ(c.value("reason_0"), 1U);
  EXPECT_EQ(c.value("other"), 1000U - (BoundedLabelCounter::kMaxSeries - 1));
  // A value that is not a short label never becomes one.
  BoundedLabelCounter d("reason");
  d.add("Bearer sk-secret");
  d.add(std::string(200, 'a'));
  EXPECT_EQ(d.series(), 1U);
  EXPECT_EQ(d.value("other"), 2U);
  PrometheusText out;
  d.render(out, "arcp_auth_failures_total");
  EXPECT_EQ(out.text(), "arcp_auth_failures_total{reason=\"other\"} 2\n");
}

TEST(Metrics, BoundedLabelsCountConcurrentlyWithoutLosingCounts) {
  BoundedLabelCounter c("reason");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&c] {
      for (int i = 0; i < 10000; ++i) c.add(i % 2 ? "unknown_token" : "missing_token");
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.series(), 2U);
  EXPECT_EQ(c.value("unknown_token") + c.value("missing_token"), 40000U);
}

TEST(Metrics, RuntimeMetricsRenderEveryFamilyOnce) {
  RuntimeMetrics m;
  m.auth_failures.add("unknown_token");
  m.resumed(true);
  m.store_timing(StoreOp::kCommit, 2ms);
  PrometheusText out;
  m.render(out);
  const std::string& text = out.text();
  for (const char* family :
       {"arcp_jobs_finished_total", "arcp_events_sent_total", "arcp_bytes_sent_total",
        "arcp_resumes_total", "arcp_heartbeat_losses_total", "arcp_auth_failures_total",
        "arcp_credentials_total", "arcp_budget_exhaustions_total",
        "arcp_store_operation_seconds"}) {
    std::string type = std::string("# TYPE ") + family + " ";
    auto at = text.find(type);
    EXPECT_NE(at, std::string::npos) << family;
    EXPECT_EQ(text.find(type, at + 1), std::string::npos) << family;
  }
  EXPECT_NE(text.find("arcp_auth_failures_total{reason=\"unknown_token\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("arcp_resumes_total{outcome=\"ok\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("arcp_store_operation_seconds_bucket{op=\"commit\",le=\"0.0025\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("arcp_store_operation_seconds_count{op=\"commit\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("arcp_store_operation_seconds_count{op=\"load\"} 0\n"), std::string::npos);
}

}  // namespace
}  // namespace arcp::observability
