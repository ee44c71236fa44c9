#include "runtime/ws_frame_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ocpp::runtime {
namespace {

using Bytes = std::vector<unsigned char>;
using Kind = WsFrameParser::Event::Kind;
using Event = WsFrameParser::Event;

Bytes Header(unsigned char first_byte, std::uint64_t length) {
  Bytes header = {first_byte};
  if (length < 126) {
    header.push_back(static_cast<unsigned char>(length));
  } else if (length <= 0xffff) {
    header.insert(header.end(), {126, static_cast<unsigned char>(length >> 8),
                                 static_cast<unsigned char>(length)});
  } else {
    header.push_back(127);
    for (int shift = 56; shift >= 0; shift -= 8) {
      header.push_back(static_cast<unsigned char>(length >> shift));
    }
  }
  return header;
}

Bytes Frame(unsigned char first_byte, const std::string& payload) {
  Bytes frame = Header(first_byte, payload.size());
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const Bytes& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

std::vector<Event> ParseWhole(const Bytes& bytes, std::size_t limit = 1024) {
  WsFrameParser parser(limit);
  std::vector<Event> events;
  parser.Feed(bytes.data(), bytes.size(), &events);
  return events;
}

// One error with `code`, after `before` other events.
void ExpectError(const Bytes& bytes, std::uint16_t code, std::size_t before = 0) {
  const std::vector<Event> events = ParseWhole(bytes);
  ASSERT_EQ(events.size(), before + 1);
  EXPECT_EQ(events.back().kind, Kind::kError);
  EXPECT_EQ(events.back().code, code) << events.back().payload;
  EXPECT_FALSE(events.back().payload.empty());
  EXPECT_EQ(events.back().payload.find('\n'), std::string::npos);
}

TEST(WsFrameParserTest, SingleTextFrame) {
  const std::vector<Event> events = ParseWhole(Frame(0x81, "hello"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kText);
  EXPECT_EQ(events[0].payload, "hello");
}

TEST(WsFrameParserTest, EmptyTextFrame) {
  const std::vector<Event> events = ParseWhole({0x81, 0x00});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kText);
  EXPECT_EQ(events[0].payload, "");
}

TEST(WsFrameParserTest, FragmentsWithInterleavedControlFrames) {
  const Bytes bytes = Cat({Frame(0x01, "[2,"), Frame(0x89, "p1"), Frame(0x00, ""), Frame(0x8a, "q"),
                           Frame(0x80, "\"x\"]")});
  const std::vector<Event> events = ParseWhole(bytes);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, Kind::kPing);
  EXPECT_EQ(events[0].payload, "p1");
  EXPECT_EQ(events[1].kind, Kind::kPong);
  EXPECT_EQ(events[1].payload, "q");
  EXPECT_EQ(events[2].kind, Kind::kText);
  EXPECT_EQ(events[2].payload, "[2,\"x\"]");
}

TEST(WsFrameParserTest, BinaryIsReportedBySizeOnly) {
  const std::vector<Event> events =
      ParseWhole(Cat({Frame(0x02, std::string("\x00\xff", 2)), Frame(0x80, "abc")}));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kBinary);
  EXPECT_EQ(events[0].size, 5u);
  EXPECT_TRUE(events[0].payload.empty());
}

TEST(WsFrameParserTest, NonMinimalLengthEncodingsAreAccepted) {
  const std::vector<Event> events =
      ParseWhole({0x81, 126, 0, 2, 'h', 'i', 0x81, 127, 0, 0, 0, 0, 0, 0, 0, 2, 'y', 'o'});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].payload, "hi");
  EXPECT_EQ(events[1].payload, "yo");
}

TEST(WsFrameParserTest, SixteenAndSixtyFourBitLengths) {
  const std::string medium(300, 'm');
  const std::string large(70'000, 'l');
  const std::vector<Event> events =
      ParseWhole(Cat({Frame(0x81, medium), Frame(0x81, large)}), 100'000);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].payload, medium);
  EXPECT_EQ(events[1].payload, large);
}

TEST(WsFrameParserTest, CloseFrames) {
  std::vector<Event> events = ParseWhole({0x88, 0x00});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kClose);
  EXPECT_EQ(events[0].code, kWsCloseNoStatus);

  events = ParseWhole(Cat({Frame(0x88,
                                 "\x0f\xa0"
                                 "bye"),
                           Frame(0x81, "after")}));
  ASSERT_EQ(events.size(), 1u) << "nothing after a close";
  EXPECT_EQ(events[0].code, 4000);
  EXPECT_EQ(events[0].payload, "bye");

  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1010, 1011, 1014, 3000, 4999}) {
    events = ParseWhole(
        {0x88, 0x02, static_cast<unsigned char>(code >> 8), static_cast<unsigned char>(code)});
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::kClose) << code;
    EXPECT_EQ(events[0].code, code);
  }
}

TEST(WsFrameParserTest, ReservedOpcodes) {
  for (unsigned char opcode : {3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf}) {
    SCOPED_TRACE(opcode);
    ExpectError({static_cast<unsigned char>(0x80 | opcode), 0x00}, kWsCloseProtocolError);
  }
}

TEST(WsFrameParserTest, ReservedBits) {
  for (unsigned char rsv : {0x40, 0x20, 0x10, 0x70}) {
    SCOPED_TRACE(rsv);
    ExpectError({static_cast<unsigned char>(0x81 | rsv), 0x01, 'a'}, kWsCloseProtocolError);
    ExpectError({static_cast<unsigned char>(0x89 | rsv), 0x00}, kWsCloseProtocolError);
  }
}

TEST(WsFrameParserTest, FragmentationRules) {
  ExpectError(Frame(0x80, "a"), kWsCloseProtocolError);  // continuation, no start
  ExpectError(Frame(0x00, "a"), kWsCloseProtocolError);
  ExpectError(Cat({Frame(0x01, "a"), Frame(0x81, "b")}), kWsCloseProtocolError);
  ExpectError(Cat({Frame(0x01, "a"), Frame(0x02, "b")}), kWsCloseProtocolError);
  ExpectError(Cat({Frame(0x81, "a"), Frame(0x80, "b")}), kWsCloseProtocolError, 1);
}

TEST(WsFrameParserTest, ControlFrameRules) {
  ExpectError({0x09, 0x00}, kWsCloseProtocolError);  // FIN=0 ping
  ExpectError({0x0a, 0x00}, kWsCloseProtocolError);
  ExpectError({0x08, 0x00}, kWsCloseProtocolError);
  ExpectError(Frame(0x89, std::string(126, 'p')), kWsCloseProtocolError);
  ExpectError({0x8a, 127, 0, 0, 0, 0, 0, 0, 0, 1, 'x'}, kWsCloseProtocolError);
  const std::vector<Event> ok = ParseWhole(Frame(0x89, std::string(125, 'p')));
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].kind, Kind::kPing);
}

TEST(WsFrameParserTest, MaskedFramesFromTheServer) {
  ExpectError({0x81, 0x81, 1, 2, 3, 4, 'a' ^ 1}, kWsCloseProtocolError);
  ExpectError({0x89, 0x80, 1, 2, 3, 4}, kWsCloseProtocolError);
}

TEST(WsFrameParserTest, BadCloseFrames) {
  ExpectError({0x88, 0x01, 0x03}, kWsCloseProtocolError);
  for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
    SCOPED_TRACE(code);
    ExpectError(
        {0x88, 0x02, static_cast<unsigned char>(code >> 8), static_cast<unsigned char>(code)},
        kWsCloseProtocolError);
  }
  ExpectError({0x88, 0x04, 0x03, 0xe8, 0xc3, 0x28}, kWsCloseInvalidPayload);
  ExpectError({0x88, 0x03, 0x03, 0xe8, 0xc3}, kWsCloseInvalidPayload);  // cut sequence
}

TEST(WsFrameParserTest, TopBitOfA64BitLength) {
  ExpectError({0x81, 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 'x'}, kWsCloseProtocolError);
  ExpectError({0x81, 127, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, kWsCloseProtocolError);
}

TEST(WsFrameParserTest, InvalidUtf8) {
  ExpectError(Frame(0x81, "\xc3\x28"), kWsCloseInvalidPayload);
  ExpectError(Frame(0x81, "\xc0\xaf"), kWsCloseInvalidPayload);          // overlong '/'
  ExpectError(Frame(0x81, "\xed\xa0\x80"), kWsCloseInvalidPayload);      // surrogate
  ExpectError(Frame(0x81, "\xf4\x90\x80\x80"), kWsCloseInvalidPayload);  // > U+10FFFF
  ExpectError(Frame(0x81, "abc\xe2\x82"), kWsCloseInvalidPayload);       // ends inside
  ExpectError(Cat({Frame(0x01, "\xed"), Frame(0x80, "\xa0\x80")}), kWsCloseInvalidPayload);
  // Valid: split sequences across fragments, 4-byte sequences.
  const std::vector<Event> ok =
      ParseWhole(Cat({Frame(0x01, "\xf0\x9f"), Frame(0x00, "\x98"), Frame(0x80, "\x80\xc3\xa4")}));
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].payload, "\xf0\x9f\x98\x80\xc3\xa4");
}

TEST(WsFrameParserTest, MessageSizeLimitIsEnforcedFromTheHeader) {
  std::vector<Event> events = ParseWhole(Frame(0x81, std::string(1024, 'a')), 1024);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kText);
  ExpectError(Header(0x81, 1025), kWsCloseMessageTooBig);                   // no payload needed
  ExpectError(Header(0x81, 0x7fffffffffffffffULL), kWsCloseMessageTooBig);  // 2^63 - 1
  ExpectError(Cat({Frame(0x01, std::string(600, 'a')), Header(0x80, 600)}), kWsCloseMessageTooBig);
  ExpectError(Header(0x82, 5000), kWsCloseMessageTooBig);  // binary counts too
}

TEST(WsFrameParserTest, NoEventAfterAnErrorButThePeersCloseIsSeen) {
  WsFrameParser parser(1024);
  std::vector<Event> events;
  const Bytes bytes = Cat({Frame(0xc1, "rsv"),
                           Frame(0x81, "ignored"),
                           Frame(0x89, "ping"),
                           {0x81, 0x81, 1, 2, 3, 4, 'x'},
                           Frame(0x88, "\x03\xea")});
  parser.Feed(bytes.data(), bytes.size(), &events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kError);
  EXPECT_TRUE(parser.failed());
  EXPECT_TRUE(parser.close_frame_seen());
}

TEST(WsFrameParserTest, OversizedFrameIsSkimmedToThePeersClose) {
  WsFrameParser parser(1024);
  std::vector<Event> events;
  const Bytes bytes = Cat({Frame(0x81, std::string(5000, '[')), Frame(0x88, "\x03\xf1")});
  parser.Feed(bytes.data(), bytes.size(), &events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, kWsCloseMessageTooBig);
  EXPECT_TRUE(parser.close_frame_seen());
}

TEST(WsFrameParserTest, TopBitLengthStopsSkimming) {
  WsFrameParser parser(1024);
  std::vector<Event> events;
  const Bytes bytes = Cat({{0x81, 127, 0x80, 0, 0, 0, 0, 0, 0, 0}, Frame(0x88, "\x03\xe8")});
  parser.Feed(bytes.data(), bytes.size(), &events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(parser.close_frame_seen());
}

// Every split point of a stream that exercises every state gives the same
// events as parsing it whole; so does feeding it byte by byte.
TEST(WsFrameParserTest, ChunkingDoesNotMatter) {
  const std::vector<Bytes> streams = {
      Cat({Frame(0x81, "hello"),
           Frame(0x01, "\xc3"),
           Frame(0x89, "ping"),
           Frame(0x80, "\xa4!"),
           Frame(0x81, std::string(300, 'm')),
           Frame(0x82, "bin"),
           {0x81, 127, 0, 0, 0, 0, 0, 0, 0, 1, 'z'},
           Frame(0x88, "\x03\xe8ok")}),
      Cat({Frame(0x81, "a"), Frame(0x81, "\xed\xa0\x80"), Frame(0x88, "\x03\xea")}),
      Cat({Frame(0x81, "a"), Header(0x81, 5000), Bytes(5000, 'x'), Frame(0x88, "")}),
      Cat({Frame(0x8a, ""), {0x81, 0x82, 1, 2, 3, 4, 5, 6}, Frame(0x88, "\x03\xe8")}),
  };
  for (const Bytes& stream : streams) {
    const std::vector<Event> whole = ParseWhole(stream);
    ASSERT_FALSE(whole.empty());
    auto same = [&](const std::vector<Event>& got) {
      ASSERT_EQ(got.size(), whole.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].kind, whole[i].kind);
        EXPECT_EQ(got[i].code, whole[i].code);
        EXPECT_EQ(got[i].payload, whole[i].payload);
        EXPECT_EQ(got[i].size, whole[i].size);
      }
    };
    for (std::size_t split = 0; split <= stream.size(); ++split) {
      SCOPED_TRACE(split);
      WsFrameParser parser(1024);
      std::vector<Event> events;
      parser.Feed(stream.data(), split, &events);
      parser.Feed(stream.data() + split, stream.size() - split, &events);
      same(events);
    }
    WsFrameParser parser(1024);
    std::vector<Event> events;
    for (unsigned char byte : stream) parser.Feed(&byte, 1, &events);
    same(events);
    EXPECT_TRUE(parser.close_frame_seen());
  }
}

TEST(WsFrameEncoderTest, FramesAreMaskedWithTheKey) {
  const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
  // RFC 6455 5.7: a masked "Hello".
  const std::string frame = EncodeClientFrame(WsOpcode::kText, "Hello", key);
  EXPECT_EQ(frame, std::string("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11));
  EXPECT_EQ(EncodeClientFrame(WsOpcode::kPing, "", key),
            std::string("\x89\x80\x37\xfa\x21\x3d", 6));
}

TEST(WsFrameEncoderTest, LengthEncodings) {
  const unsigned char key[4] = {0, 0, 0, 0};
  const std::string medium = EncodeClientFrame(WsOpcode::kText, std::string(126, 'a'), key);
  EXPECT_EQ(medium.substr(0, 4), std::string("\x81\xfe\x00\x7e", 4));
  EXPECT_EQ(medium.size(), 4u + 4u + 126u);
  const std::string large = EncodeClientFrame(WsOpcode::kText, std::string(65536, 'a'), key);
  EXPECT_EQ(large.substr(0, 10), std::string("\x81\xff\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

TEST(WsFrameEncoderTest, ClosePayloadFitsAControlFrame) {
  EXPECT_EQ(ClosePayload(1002, "bad"), std::string("\x03\xea"
                                                   "bad",
                                                   5));
  EXPECT_EQ(ClosePayload(1000, std::string(200, 'x')).size(), 125u);
  // 61 two-byte characters = 122 bytes, then one more: not split.
  std::string umlauts;
  for (int i = 0; i < 62; ++i) umlauts += "\xc3\xa4";
  EXPECT_EQ(ClosePayload(1000, umlauts).size(), 2u + 122u);
}

}  // namespace
}  // namespace ocpp::runtime
