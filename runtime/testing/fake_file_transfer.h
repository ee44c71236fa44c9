// A scripted runtime::FileTransfer for tests of the station: downloads of a
// served URL write its content, others fail; uploads record the file's
// content. Results arrive through the loop (Post), or, with hold(true),
// only when the test calls ReleaseAll().
#pragma once

#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/event_loop.h"
#include "runtime/file_transfer.h"

namespace ocpp::runtime::testing {

class FakeFileTransfer final : public FileTransfer {
 public:
  explicit FakeFileTransfer(EventLoop& loop) : loop_(loop) {}

  void Serve(const std::string& url, std::string content) { served_[url] = std::move(content); }
  // Downloads from, or uploads to, `url` fail with `error`.
  void Fail(const std::string& url, std::string error) { failures_[url] = std::move(error); }
  void StopFailing(const std::string& url) { failures_.erase(url); }
  void set_hold(bool hold) { hold_ = hold; }
  void ReleaseAll() {
    auto due = std::move(held_);
    held_.clear();
    for (auto& [id, work] : due) {
      if (cancelled_.count(id) == 0) work();
    }
  }

  TransferId Download(const std::string& url, const std::string& path, Done done) override {
    const TransferId id = ++next_;
    downloads.push_back(url);
    Run(id, [this, url, path, done] {
      TransferResult result;
      if (auto f = failures_.find(url); f != failures_.end()) {
        result.error = f->second;
      } else if (auto s = served_.find(url); s == served_.end()) {
        result.error = "HTTP 404";
      } else {
        std::ofstream(path, std::ios::binary) << s->second;
        result.ok = true;
        result.bytes = static_cast<std::int64_t>(s->second.size());
      }
      done(result);
    });
    return id;
  }

  TransferId Upload(const std::string& path, const std::string& url, Done done) override {
    const TransferId id = ++next_;
    Run(id, [this, url, path, done] {
      TransferResult result;
      if (auto f = failures_.find(url); f != failures_.end()) {
        result.error = f->second;
      } else {
        std::ifstream in(path, std::ios::binary);
        std::stringstream content;
        content << in.rdbuf();
        uploads.emplace_back(url, content.str());
        result.ok = static_cast<bool>(in);
        result.bytes = static_cast<std::int64_t>(content.str().size());
        if (!result.ok) result.error = "cannot read " + path;
      }
      done(result);
    });
    return id;
  }

  void Cancel(TransferId id) override { cancelled_[id] = true; }

  std::vector<std::string> downloads;                        // URLs, in order
  std::vector<std::pair<std::string, std::string>> uploads;  // URL, content

 private:
  void Run(TransferId id, std::function<void()> work) {
    if (hold_) {
      held_.emplace_back(id, std::move(work));
      return;
    }
    loop_.Post([this, id, work = std::move(work)] {
      if (cancelled_.count(id) == 0) work();
    });
  }

  EventLoop& loop_;
  std::map<std::string, std::string> served_;
  std::map<std::string, std::string> failures_;
  std::map<TransferId, bool> cancelled_;
  std::vector<std::pair<TransferId, std::function<void()>>> held_;
  bool hold_ = false;
  TransferId next_ = 0;
};

}  // namespace ocpp::runtime::testing
