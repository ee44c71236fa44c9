#include "station/connectors/current_sharing.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

namespace ocpp::station {
namespace {

ShareRequest Drawing(double cap) { return ShareRequest{cap, true, true}; }
ShareRequest Waiting(double cap) { return ShareRequest{cap, true, false}; }
ShareRequest Idle(double cap) { return ShareRequest{cap, false, false}; }

TEST(CurrentSharing, OneConnectorGetsItsCapOrTheStationLimit) {
  EXPECT_EQ(ShareCurrent(64, {Drawing(32)}), std::vector<double>({32}));
  EXPECT_EQ(ShareCurrent(20, {Drawing(32)}), std::vector<double>({20}));
}

TEST(CurrentSharing, DrawingConnectorsShareEqually) {
  EXPECT_EQ(ShareCurrent(32, {Drawing(32), Drawing(32)}), std::vector<double>({16, 16}));
  EXPECT_EQ(ShareCurrent(64, {Drawing(32), Drawing(32)}), std::vector<double>({32, 32}));
}

TEST(CurrentSharing, WhatOneCannotUseGoesToTheOthers) {
  // 40 A for three: 10 A is all the first may take, 15 + 15 for the rest.
  EXPECT_EQ(ShareCurrent(40, {Drawing(10), Drawing(32), Drawing(32)}),
            std::vector<double>({10, 15, 15}));
  // A connector held at 0 by its profile leaves everything to the other.
  EXPECT_EQ(ShareCurrent(32, {Drawing(0), Drawing(32)}), std::vector<double>({0, 32}));
}

TEST(CurrentSharing, IdleConnectorsGetNothingAndTakeNothing) {
  EXPECT_EQ(ShareCurrent(32, {Idle(32), Drawing(32)}), std::vector<double>({0, 32}));
}

// One that may charge is offered what it would get on starting; the
// drawing ones keep theirs until it really draws.
TEST(CurrentSharing, AWaitingConnectorIsOfferedItsShareIfItStarted) {
  EXPECT_EQ(ShareCurrent(32, {Drawing(32), Waiting(32)}), std::vector<double>({32, 16}));
  EXPECT_EQ(ShareCurrent(32, {Waiting(32)}), std::vector<double>({32}));
}

TEST(CurrentSharing, NegativeInputsOfferNothing) {
  EXPECT_EQ(ShareCurrent(-5, {Drawing(32)}), std::vector<double>({0}));
  EXPECT_EQ(ShareCurrent(32, {Drawing(-1), Drawing(32)}), std::vector<double>({0, 32}));
}

// Random sets: never more than the station limit in total, never more than
// a cap, and nothing left over while someone is below their cap.
TEST(CurrentSharing, PropertiesHoldForRandomSets) {
  std::mt19937 random(1234);
  std::uniform_real_distribution<double> amps(0, 80);
  std::uniform_int_distribution<int> count(1, 8);
  for (int round = 0; round < 2000; ++round) {
    std::vector<ShareRequest> requests;
    const int n = count(random);
    for (int i = 0; i < n; ++i) {
      const int kind = static_cast<int>(random() % 3);
      requests.push_back(kind == 0   ? Drawing(amps(random))
                         : kind == 1 ? Waiting(amps(random))
                                     : Idle(amps(random)));
    }
    const double station = amps(random) * 2;
    const std::vector<double> offers = ShareCurrent(station, requests);
    double drawn = 0;
    bool someone_capped_below = false;
    for (int i = 0; i < n; ++i) {
      EXPECT_LE(offers[i], requests[i].cap_amps + 1e-9);
      EXPECT_LE(offers[i], station + 1e-9);
      if (!requests[i].offered) EXPECT_EQ(offers[i], 0);
      if (requests[i].drawing && requests[i].offered) {
        drawn += offers[i];
        if (offers[i] < requests[i].cap_amps - 1e-9) someone_capped_below = true;
      }
    }
    EXPECT_LE(drawn, station + 1e-9);
    if (someone_capped_below) EXPECT_NEAR(drawn, station, 1e-6);
  }
}

}  // namespace
}  // namespace ocpp::station
