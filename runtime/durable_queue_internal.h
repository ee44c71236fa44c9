// Internals of TransactionMessageQueue shared by its source files: the
// stored record format and the payload edits. Not for other users.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "hal/storage.h"
#include "runtime/durable_queue.h"

namespace ocpp::runtime::queue_internal {

// Whether the queue owns the message's "transactionId" property.
bool CarriesTransactionId(const TransactionMessage& message);
// One stored record (JSON, see durable_queue_record.cc).
std::string EncodeRecord(const TransactionMessage& message);
// kDataLoss naming the record when it is not one EncodeRecord wrote.
base::Result<TransactionMessage> DecodeRecord(const hal::MessageLog::Record& record);
// The payload's "transactionId" if it is an integer.
std::optional<std::int64_t> PayloadTransactionId(const std::string& payload);
// `payload` with its "transactionId" set to `id` (kInvalidArgument if the
// payload is not a JSON object).
base::Result<std::string> WithTransactionId(std::string_view payload, std::int64_t id);
// kInvalidArgument unless `payload` is a JSON object.
base::Status ValidateObject(std::string_view payload);
// "StopTransaction #12 (local transaction 3)" for logs.
std::string Describe(const TransactionMessage& message);
// kDataLoss unless `text` is a whole decimal int64.
base::Result<std::int64_t> ParseInt64(const std::string& text);

}  // namespace ocpp::runtime::queue_internal
