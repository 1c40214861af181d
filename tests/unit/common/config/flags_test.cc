#include "services/common/config/flags.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace omniroute::config {
namespace {

// A service-like flag set: every kind of flag, with defaults.
class FlagsTest : public ::testing::Test {
 protected:
  FlagsTest() : flags_("omniroute-test") {
    flags_.Add("redis-url", &redis_url_, "where Redis is");
    flags_.Add("port", &port_, "gRPC port");
    flags_.Add("max-bytes", &max_bytes_, "a 64-bit limit");
    flags_.Add("tls", &tls_, "serve TLS");
  }
  ~FlagsTest() override {
    for (const auto& name : set_env_) unsetenv(name.c_str());
  }

  absl::Status Parse(std::vector<std::string> args) {
    args.insert(args.begin(), "omniroute-test");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return flags_.Parse(static_cast<int>(argv.size()), argv.data());
  }
  void SetEnv(const std::string& name, const std::string& value) {
    setenv(name.c_str(), value.c_str(), 1);
    set_env_.push_back(name);
  }

  Flags flags_;
  std::string redis_url_ = "redis://127.0.0.1:6379";
  int port_ = 50051;
  int64_t max_bytes_ = 10;
  bool tls_ = false;
  std::vector<std::string> set_env_;
};

TEST_F(FlagsTest, ParsesEqualsAndSeparateValueForms) {
  ASSERT_TRUE(
      Parse({"--port=7000", "--redis-url", "redis://db:6380/2", "--max-bytes", "9000000000"}).ok());
  EXPECT_EQ(port_, 7000);
  EXPECT_EQ(redis_url_, "redis://db:6380/2");
  EXPECT_EQ(max_bytes_, 9000000000LL);
  EXPECT_FALSE(tls_);
  // A value may itself contain '='.
  ASSERT_TRUE(Parse({"--redis-url=redis://:p=w@db"}).ok());
  EXPECT_EQ(redis_url_, "redis://:p=w@db");
}

TEST_F(FlagsTest, BoolFlagsTakeNoValueOrAnExplicitOne) {
  ASSERT_TRUE(Parse({"--tls"}).ok());
  EXPECT_TRUE(tls_);
  ASSERT_TRUE(Parse({"--tls=false"}).ok());
  EXPECT_FALSE(tls_);
  ASSERT_TRUE(Parse({"--tls=true", "--port", "1"}).ok());
  EXPECT_TRUE(tls_);
  EXPECT_EQ(port_, 1);
  auto st = Parse({"--tls=maybe"});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "--tls")) << st;
}

TEST_F(FlagsTest, EnvironmentIsTheFallbackAndTheCommandLineWins) {
  SetEnv("OMNIROUTE_REDIS_URL", "redis://from-env:1");
  SetEnv("OMNIROUTE_PORT", "6000");
  SetEnv("OMNIROUTE_TLS", "true");
  ASSERT_TRUE(Parse({"--port=7000"}).ok());
  EXPECT_EQ(redis_url_, "redis://from-env:1");
  EXPECT_EQ(port_, 7000);
  EXPECT_TRUE(tls_);

  SetEnv("OMNIROUTE_MAX_BYTES", "lots");
  auto st = Parse({});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "OMNIROUTE_MAX_BYTES")) << st;
}

TEST_F(FlagsTest, RejectsUnknownFlagsBadNumbersAndStrayArguments) {
  auto unknown = Parse({"--prot=7000"});
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(unknown.message(), "unknown flag --prot")) << unknown;

  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--port=abc"},
                                             {"--port=99999999999"},  // does not fit an int
                                             {"--port="},
                                             {"--max-bytes", "1e3"},
                                             {"--port"},  // needs a value
                                             {"positional"},
                                             {"-p", "1"}}) {
    EXPECT_EQ(Parse(args).code(), absl::StatusCode::kInvalidArgument) << args[0];
  }
}

TEST(FlagsPositionalTest, PositionalsFillInOrderBetweenFlagsAndAreRequired) {
  Flags flags("tool queues get");
  std::string name, output = "yaml";
  flags.AddPositional("NAME", &name);
  flags.Add("output", &output, "json or yaml");
  flags.SetDescription("Prints one queue.\n");
  auto parse = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "tool");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return flags.Parse(static_cast<int>(argv.size()), argv.data());
  };
  ASSERT_TRUE(parse({"--output", "json", "support"}).ok());
  EXPECT_EQ(name, "support");
  EXPECT_EQ(output, "json");
  auto missing = parse({"--output=json"});
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(missing.message(), "missing NAME")) << missing;
  auto extra = parse({"a", "b"});
  EXPECT_EQ(extra.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(extra.message(), "unexpected argument 'b'")) << extra;
  auto help = parse({"--help"});
  EXPECT_EQ(help.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(help.message(), "usage: tool queues get NAME [flags]")) << help;
  EXPECT_TRUE(absl::StrContains(help.message(), "Prints one queue.")) << help;
}

}  // namespace
}  // namespace omniroute::config
