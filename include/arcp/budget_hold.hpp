// An atomic `cost.budget` reservation (§9.6) from JobContext::reserve_budget.
#pragma once

#include <arcp/error.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace arcp {

namespace runtime {
class Job;
}

/// Holds part of a budget for an operation about to happen, so that
/// concurrent operations of one job never spend more than the budget
/// together. `commit` spends the actual cost (emitting the cost metric and
/// `cost.budget.remaining`); `release`, or destruction without either,
/// gives the hold back.
class BudgetHold {
 public:
  BudgetHold(std::shared_ptr<runtime::Job> job, std::uint64_t id, std::string currency);
  BudgetHold(BudgetHold&& other) noexcept;
  BudgetHold& operator=(BudgetHold&& other) noexcept;
  BudgetHold(const BudgetHold&) = delete;
  BudgetHold& operator=(const BudgetHold&) = delete;
  ~BudgetHold();

  /// `metric_name` must start with `cost.`; `actual` must not be negative.
  Result<void> commit(double actual, std::string_view metric_name = "cost.reserved");
  void release();
  const std::string& currency() const { return currency_; }

 private:
  std::shared_ptr<runtime::Job> job_;
  std::uint64_t id_ = 0;
  std::string currency_;
};

}  // namespace arcp
