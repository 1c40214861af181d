// Linked into every fuzz target: protobuf's parser logs each string field that is not UTF-8,
// which at thousands of inputs a second would bury libFuzzer's own output.
#include <google/protobuf/stubs/logging.h>

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}
