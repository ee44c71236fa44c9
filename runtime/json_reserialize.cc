#include "runtime/json_reserialize.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstddef>

namespace ocpp::runtime {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
// Checks every string it writes: an escape such as "\uDDA3" (a lone
// surrogate) would otherwise come out as invalid UTF-8.
using CheckedWriter =
    rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>,
                      rapidjson::CrtAllocator, rapidjson::kWriteValidateEncodingFlag>;

// Iterative (no recursion), numbers kept as text, UTF-8 checked.
constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag |
                            rapidjson::kParseValidateEncodingFlag;

// Runs `handler` over `text`; false on any parse error or handler refusal.
template <class Handler>
bool Walk(std::string_view text, Handler& handler) {
  // The reader takes a NUL byte for the end of input; JSON never holds one.
  if (text.find('\0') != std::string_view::npos) return false;
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::Reader reader;
  return !reader.Parse<kFlags>(stream, handler).IsError();
}

// The Writer as a SAX handler, except that numbers go out as written (this
// RapidJSON's Writer::RawNumber would quote them).
class Copier : public CheckedWriter {
 public:
  using CheckedWriter::CheckedWriter;
  bool RawNumber(const char* str, rapidjson::SizeType length, bool) {
    return RawValue(str, length, rapidjson::kNumberType);
  }
};

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool ContainsIgnoreCase(std::string_view text, std::string_view word) {
  if (word.empty() || word.size() > text.size()) return word.empty();
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    if (EqualsIgnoreCase(text.substr(i, word.size()), word)) return true;
  }
  return false;
}

// Pass 1: numbers (in start order) the objects whose "key" is a secret.
class SecretFinder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, SecretFinder> {
 public:
  explicit SecretFinder(const std::vector<std::string>& keys) : keys_(keys) {}

  bool StartObject() {
    Consume();
    stack_.push_back({true, objects_++, false});
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return Pop(); }
  bool StartArray() {
    Consume();
    stack_.push_back({false, 0, false});
    return true;
  }
  bool EndArray(rapidjson::SizeType) { return Pop(); }
  bool Key(const char* str, rapidjson::SizeType length, bool) {
    stack_.back().key_is_key = std::string_view(str, length) == "key";
    return true;
  }
  bool String(const char* str, rapidjson::SizeType length, bool) {
    if (!stack_.empty() && stack_.back().is_object && stack_.back().key_is_key) {
      for (const std::string& key : keys_) {
        if (EqualsIgnoreCase(std::string_view(str, length), key)) {
          marked_.push_back(stack_.back().ordinal);
          break;
        }
      }
    }
    Consume();
    return true;
  }
  bool Default() {
    Consume();
    return true;
  }

  std::vector<std::size_t> marked_;

 private:
  struct Container {
    bool is_object;
    std::size_t ordinal;
    bool key_is_key;
  };
  void Consume() {
    if (!stack_.empty()) stack_.back().key_is_key = false;
  }
  bool Pop() {
    stack_.pop_back();
    Consume();
    return true;
  }
  const std::vector<std::string>& keys_;
  std::vector<Container> stack_;
  std::size_t objects_ = 0;
};

// Pass 2: copies events to a writer, replacing the "value" of marked
// objects (whatever its shape) with "***".
class Masker {
 public:
  Masker(CheckedWriter& out, const std::vector<std::size_t>& marked) : out_(out), marked_(marked) {}

  bool Null() {
    return Scalar([&] { return out_.Null(); });
  }
  bool Bool(bool b) {
    return Scalar([&] { return out_.Bool(b); });
  }
  bool Int(int) { return false; }  // numbers arrive as RawNumber
  bool Uint(unsigned) { return false; }
  bool Int64(std::int64_t) { return false; }
  bool Uint64(std::uint64_t) { return false; }
  bool Double(double) { return false; }
  bool RawNumber(const char* str, rapidjson::SizeType length, bool) {
    return Scalar([&] { return out_.RawValue(str, length, rapidjson::kNumberType); });
  }
  bool String(const char* str, rapidjson::SizeType length, bool copy) {
    return Scalar([&] { return out_.String(str, length, copy); });
  }
  bool StartObject() {
    const std::size_t ordinal = objects_++;
    // Marks of objects inside a masked value are used up too, or every
    // later mark would be compared with the wrong object.
    const bool marked = next_marked_ < marked_.size() && marked_[next_marked_] == ordinal;
    if (marked) ++next_marked_;
    if (Skipping()) return true;
    stack_.push_back(marked);
    return out_.StartObject();
  }
  bool EndObject(rapidjson::SizeType) {
    if (skip_depth_ > 0) return EndSkipped();
    stack_.pop_back();
    return out_.EndObject();
  }
  bool StartArray() {
    if (Skipping()) return true;
    stack_.push_back(false);
    return out_.StartArray();
  }
  bool EndArray(rapidjson::SizeType) {
    if (skip_depth_ > 0) return EndSkipped();
    stack_.pop_back();
    return out_.EndArray();
  }
  bool Key(const char* str, rapidjson::SizeType length, bool copy) {
    if (skip_depth_ > 0) return true;
    mask_next_ = stack_.back() && std::string_view(str, length) == "value";
    return out_.Key(str, length, copy);
  }

 private:
  // A container starts: inside a skipped value, or as the value to mask.
  bool Skipping() {
    if (skip_depth_ > 0) {
      ++skip_depth_;
      return true;
    }
    if (!mask_next_) return false;
    mask_next_ = false;
    skip_depth_ = 1;
    return true;
  }
  bool EndSkipped() {
    if (--skip_depth_ == 0) return out_.String("***");
    return true;
  }
  template <class Write>
  bool Scalar(Write write) {
    if (skip_depth_ > 0) return true;
    if (mask_next_) {
      mask_next_ = false;
      return out_.String("***");
    }
    return write();
  }

  CheckedWriter& out_;
  const std::vector<std::size_t>& marked_;
  std::size_t next_marked_ = 0;
  std::vector<bool> stack_;  // per open container: a marked object?
  std::size_t objects_ = 0;
  std::size_t skip_depth_ = 0;
  bool mask_next_ = false;
};

}  // namespace

bool ReserializeJson(std::string_view text, Writer& out) {
  // Into a scratch buffer first: a failure halfway must leave `out` intact.
  rapidjson::StringBuffer scratch;
  Copier writer(scratch);
  if (!Walk(text, writer)) return false;
  return out.RawValue(scratch.GetString(), scratch.GetSize(), rapidjson::kObjectType);
}

std::optional<std::string> ReserializeJson(std::string_view text) {
  rapidjson::StringBuffer buffer;
  Copier writer(buffer);
  if (!Walk(text, writer)) return std::nullopt;
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string MaskSecrets(std::string_view frame, const std::vector<std::string>& secret_keys) {
  // Cheap exit for the usual frame; a \u escape could spell a key.
  bool mentioned = frame.find("\\u") != std::string_view::npos;
  for (const std::string& key : secret_keys) {
    mentioned = mentioned || ContainsIgnoreCase(frame, key);
  }
  if (!mentioned) return std::string(frame);
  SecretFinder finder(secret_keys);
  if (!Walk(frame, finder)) return "[\"<unparseable frame withheld>\"]";
  if (finder.marked_.empty()) return std::string(frame);
  // The masker walks the objects in order: one mark per object, ascending.
  // (An object naming a secret twice is marked twice, and an inner object
  // can be marked before the "key" of the object around it is read.)
  std::sort(finder.marked_.begin(), finder.marked_.end());
  finder.marked_.erase(std::unique(finder.marked_.begin(), finder.marked_.end()),
                       finder.marked_.end());
  rapidjson::StringBuffer buffer;
  CheckedWriter writer(buffer);
  Masker masker(writer, finder.marked_);
  if (!Walk(frame, masker)) return "[\"<unparseable frame withheld>\"]";
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace ocpp::runtime
