// Runs a libFuzzer target over every file of the corpus directories given
// as arguments, so gcc builds (and ASan CI) replay the corpus as a test.
// A copy of //fuzz:regression_main.cc, which that package does not export;
// drop this file once it does.
#include <dirent.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  std::size_t files = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<std::string> paths;
    if (DIR* dir = opendir(argv[i])) {
      while (dirent* entry = readdir(dir)) {
        if (entry->d_name[0] != '.') paths.push_back(std::string(argv[i]) + "/" + entry->d_name);
      }
      closedir(dir);
    } else {
      paths.push_back(argv[i]);
    }
    for (const std::string& path : paths) {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path.c_str());
        return 1;
      }
      std::ostringstream bytes;
      bytes << in.rdbuf();
      const std::string data = bytes.str();
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
      ++files;
    }
  }
  std::printf("replayed %zu corpus files\n", files);
  return files > 0 ? 0 : 1;
}
