// libFuzzer target: the Local Authorization List's persisted records, as a
// damaged or tampered store may hand them back (local_list_records.h). The
// input is decoded as an entry and as a version record. Checked on every
// input:
//  - nothing crashes, leaks or trips a sanitizer;
//  - a decoded entry has a valid status and a parentIdTag of at most 20
//    characters, and encodes to a record that decodes to the same entry;
//  - a decoded version record has version >= 0, size >= 0, version 0
//    exactly when size is 0, and round-trips the same way;
//  - the key of the input as an idTag starts with the entry prefix and
//    does not depend on ASCII case.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "station/authorization/local_list_records.h"

namespace {

namespace list = ocpp::station::local_list;

void Check(bool condition) {
  if (!condition) std::abort();
}

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto entry = list::DecodeEntry(input)) {
    Check(!ocpp::v16::ToString(entry->status).empty());
    Check(!entry->parent_id_tag || ocpp::codec::CiString<20>::From(*entry->parent_id_tag));
    const std::string encoded = list::EncodeEntry(*entry);
    const auto again = list::DecodeEntry(encoded);
    Check(again && *again == *entry);
    Check(list::EncodeEntry(*again) == encoded);
  }

  if (auto meta = list::DecodeMeta(input)) {
    Check(meta->version >= 0 && meta->size >= 0);
    Check((meta->version == 0) == (meta->size == 0));
    const auto again = list::DecodeMeta(list::EncodeMeta(*meta));
    Check(again && *again == *meta);
  }

  const std::string key = list::EntryKey(input);
  Check(key.rfind(list::kEntryPrefix, 0) == 0);
  Check(key == list::EntryKey(Lower(std::string(input))));
  return 0;
}
