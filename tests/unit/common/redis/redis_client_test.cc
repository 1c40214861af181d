#include "services/common/redis/redis_client.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace omniroute::redis {
namespace {

TEST(ParseUrlTest, ParsesEveryFormAndRejectsBadSchemesPortsAndDatabases) {
  auto plain = ParseUrl("redis://db.internal:6380");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->host, "db.internal");
  EXPECT_EQ(plain->port, 6380);
  EXPECT_EQ(plain->password, "");
  EXPECT_EQ(plain->db, 0);
  EXPECT_TRUE(plain->unix_path.empty());

  auto full = ParseUrl("redis://user:s3cr@t@10.0.0.5:7000/3");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->host, "10.0.0.5");
  EXPECT_EQ(full->port, 7000);
  EXPECT_EQ(full->username, "user");    // an ACL user: AUTH user password
  EXPECT_EQ(full->password, "s3cr@t");  // the last '@' ends the credentials
  EXPECT_EQ(AuthCommand(*full), (std::vector<std::string>{"AUTH", "user", "s3cr@t"}));
  EXPECT_EQ(full->db, 3);

  auto password_only = ParseUrl("redis://:pw@cache/");
  ASSERT_TRUE(password_only.ok());
  EXPECT_EQ(password_only->password, "pw");
  EXPECT_EQ(password_only->username, "");
  EXPECT_EQ(AuthCommand(*password_only), (std::vector<std::string>{"AUTH", "pw"}));
  EXPECT_TRUE(AuthCommand(*ParseUrl("redis://cache")).empty());
  EXPECT_EQ(RedactUrl("redis://user:s3cr@t@cache:6379/1"), "redis://***@cache:6379/1");
  EXPECT_EQ(RedactUrl("redis://cache:6379"), "redis://cache:6379");
  EXPECT_EQ(password_only->host, "cache");
  EXPECT_EQ(password_only->port, 6379);
  EXPECT_EQ(password_only->db, 0);

  auto defaults = ParseUrl("redis://");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->host, "127.0.0.1");
  EXPECT_EQ(defaults->port, 6379);

  auto unix_socket = ParseUrl("unix:///var/run/redis.sock");
  ASSERT_TRUE(unix_socket.ok());
  EXPECT_EQ(unix_socket->unix_path, "/var/run/redis.sock");

  for (const std::string& bad : std::vector<std::string>{
           "", "localhost:6379", "http://localhost:6379", "rediss//x", "unix://", "redis://host:0",
           "redis://host:65536", "redis://host:-1", "redis://host:port",
           "redis://host:", "redis://host:6379/x", "redis://host:6379/1x", "redis://user:@host"}) {
    auto r = ParseUrl(bad);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace omniroute::redis
