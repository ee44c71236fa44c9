#include "station/authorization/local_list_records.h"

#include <charconv>

namespace ocpp::station::local_list {
namespace {

// A whole decimal integer ("-" allowed, no "+", no spaces), or nullopt.
std::optional<std::int64_t> ParseInt(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty()) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string NormalizeIdTag(std::string_view id_tag) {
  std::string key(id_tag);
  for (char& c : key) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return key;
}

std::string EntryKey(std::string_view id_tag) {
  return std::string(kEntryPrefix) + NormalizeIdTag(id_tag);
}

Entry EntryFromIdTagInfo(const v16::IdTagInfo& info) {
  Entry entry;
  entry.status = info.status;
  entry.expiry = info.expiry_date;
  if (info.parent_id_tag) entry.parent_id_tag = info.parent_id_tag->ToString();
  return entry;
}

std::string EncodeEntry(const Entry& entry) {
  std::string value(v16::ToString(entry.status));
  value += '|';
  if (entry.expiry) value += std::to_string(entry.expiry->unix_millis());
  if (entry.parent_id_tag) {
    value += '|';
    value += *entry.parent_id_tag;
  }
  return value;
}

std::optional<Entry> DecodeEntry(std::string_view value) {
  const std::size_t first = value.find('|');
  if (first == std::string_view::npos) return std::nullopt;
  Entry entry;
  const auto status = v16::AuthorizationStatusFromString(value.substr(0, first));
  if (!status) return std::nullopt;
  entry.status = *status;
  std::string_view rest = value.substr(first + 1);
  const std::size_t second = rest.find('|');
  const std::string_view expiry = rest.substr(0, second);
  if (!expiry.empty()) {
    const auto millis = ParseInt(expiry);
    if (!millis) return std::nullopt;
    entry.expiry = codec::DateTime::FromUnixMillis(*millis);
  }
  if (second != std::string_view::npos) {
    const std::string_view parent = rest.substr(second + 1);
    if (!codec::CiString<20>::From(parent)) return std::nullopt;
    entry.parent_id_tag = std::string(parent);
  }
  return entry;
}

std::string EncodeMeta(const Meta& meta) {
  return std::to_string(meta.version) + "|" + std::to_string(meta.size);
}

std::optional<Meta> DecodeMeta(std::string_view value) {
  const std::size_t bar = value.find('|');
  if (bar == std::string_view::npos) return std::nullopt;
  const auto version = ParseInt(value.substr(0, bar));
  const auto size = ParseInt(value.substr(bar + 1));
  if (!version || !size || *version < 0 || *size < 0) return std::nullopt;
  if ((*version == 0) != (*size == 0)) return std::nullopt;
  return Meta{*version, *size};
}

}  // namespace ocpp::station::local_list
