#include <arcp/budget_hold.hpp>

#include "runtime/job.hpp"

namespace arcp {

BudgetHold::BudgetHold(std::shared_ptr<runtime::Job> job, std::uint64_t id, std::string currency)
    : job_(std::move(job)), id_(id), currency_(std::move(currency)) {}

BudgetHold::BudgetHold(BudgetHold&& other) noexcept
    : job_(std::move(other.job_)), id_(other.id_), currency_(std::move(other.currency_)) {}

BudgetHold& BudgetHold::operator=(BudgetHold&& other) noexcept {
  if (this != &other) {
    release();
    job_ = std::move(other.job_);
    id_ = other.id_;
    currency_ = std::move(other.currency_);
  }
  return *this;
}

BudgetHold::~BudgetHold() {
  release();
}

Result<void> BudgetHold::commit(double actual, std::string_view metric_name) {
  if (!job_) return Error(ErrorCode::kInvalidRequest, "this budget hold was already settled");
  auto nano = to_nano_units(actual);
  if (!nano || *nano < 0)
    return Error(ErrorCode::kInvalidRequest, "a cost must be a non-negative amount");
  auto job = std::move(job_);
  return job->commit_cost(id_, metric_name, *nano, currency_);
}

void BudgetHold::release() {
  if (auto job = std::move(job_)) job->budget().release(id_);
}

}  // namespace arcp
