// Copyright 2026 The Runnel Authors.
//
// unit_test_example — what a user's own unit test looks like: a small
// application component that publishes events and one that consumes them,
// tested through a real Runnel broker living on a MemFileSystem with a
// simulated clock. No disk, no sleeps, deterministic.
//
//   ./bazelw test //examples:unit_test_example
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runnel/runnel.h"

namespace {

// --- The application's code under test. ---

// Publishes one event per order, keyed by customer (so one customer's
// orders stay in order on one partition).
class OrderService {
 public:
  explicit OrderService(runnel::Producer* producer) : producer_(producer) {}
  absl::Status PlaceOrder(const std::string& customer,
                          const std::string& item) {
    runnel::ProducerRecord record;
    record.topic = "orders";
    record.key = customer;
    record.value = item;
    return producer_->Send(record);
  }

 private:
  runnel::Producer* producer_;
};

// Consumes orders and keeps a packing list; commits what it processed.
class Warehouse {
 public:
  explicit Warehouse(runnel::Consumer* consumer) : consumer_(consumer) {}
  absl::Status ProcessAvailable() {
    absl::StatusOr<runnel::ConsumerRecords> records =
        consumer_->Poll(absl::ZeroDuration());
    if (!records.ok()) return records.status();
    for (const runnel::ConsumerRecord& r : *records) {
      packing_list_.push_back(std::string(*r.key) + ": " +
                              std::string(*r.value));
    }
    return consumer_->CommitSync();
  }
  const std::vector<std::string>& packing_list() const { return packing_list_; }

 private:
  runnel::Consumer* consumer_;
  std::vector<std::string> packing_list_;
};

// --- The test. ---

class WarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runnel::BrokerOptions options;
    options.data_dir = "/runnel";  // inside the MemFileSystem
    options.file_system = &fs_;
    options.clock = &clock_;
    options.maintenance_interval = absl::ZeroDuration();
    broker_ = *runnel::Broker::Open(options);
    ASSERT_TRUE(runnel::Admin(broker_.get()).CreateTopic({"orders", 1}).ok());
    producer_ = *runnel::Producer::Create(broker_.get(), {});
    runnel::ConsumerOptions consumer_options;
    consumer_options.group_id = "warehouse";
    consumer_options.auto_offset_reset = runnel::OffsetReset::kEarliest;
    consumer_ = *runnel::Consumer::Create(broker_.get(), consumer_options);
    ASSERT_TRUE(consumer_->Subscribe({"orders"}).ok());
  }

  runnel::MemFileSystem fs_;  // no disk
  runnel::SimulatedClock clock_{
      absl::FromUnixSeconds(1700000000)};  // no sleeps
  std::unique_ptr<runnel::Broker> broker_;
  std::unique_ptr<runnel::Producer> producer_;
  std::unique_ptr<runnel::Consumer> consumer_;
};

TEST_F(WarehouseTest, PacksEveryOrderOnceInOrder) {
  OrderService orders(producer_.get());
  Warehouse warehouse(consumer_.get());
  ASSERT_TRUE(orders.PlaceOrder("alice", "kettle").ok());
  ASSERT_TRUE(orders.PlaceOrder("bob", "mug").ok());
  ASSERT_TRUE(producer_->Flush().ok());  // deterministic: no linger wait

  ASSERT_TRUE(warehouse.ProcessAvailable().ok());
  ASSERT_TRUE(warehouse.ProcessAvailable().ok());  // nothing new
  EXPECT_EQ(warehouse.packing_list(),
            (std::vector<std::string>{"alice: kettle", "bob: mug"}));
  // What the warehouse committed is where a restarted one would resume.
  auto committed = consumer_->Committed({{"orders", 0}});
  ASSERT_TRUE(committed.ok());
  EXPECT_EQ((*committed)[0], 2);
}

}  // namespace
