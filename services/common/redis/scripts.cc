#include "services/common/redis/scripts.h"

#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace omniroute::redis {

// Defined in the generated embedded_scripts.cc.
const std::map<std::string, std::string>& EmbeddedScriptSources();

namespace {

std::string Sha1Hex(const std::string& s) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  char hex[2 * SHA_DIGEST_LENGTH + 1];
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  return std::string(hex, 2 * SHA_DIGEST_LENGTH);
}

bool IsNoScript(const Reply& r) { return r.is_error() && absl::StartsWith(r.str, "NOSCRIPT"); }

}  // namespace

const Scripts& Scripts::Embedded() {
  static const Scripts* scripts = new Scripts(EmbeddedScriptSources());
  return *scripts;
}

Scripts::Scripts(std::map<std::string, std::string> sources) {
  for (auto& [name, source] : sources) {
    std::string sha = Sha1Hex(source);
    scripts_.emplace(name, Entry{std::move(source), std::move(sha)});
  }
}

const Scripts::Entry& Scripts::Find(const std::string& name) const {
  auto it = scripts_.find(name);
  if (it == scripts_.end()) {
    // A programming error (a script name not compiled in), never caused by input.
    std::fprintf(stderr, "omniroute: unknown Lua script '%s'\n", name.c_str());
    std::abort();
  }
  return it->second;
}

const Scripts::Entry* Scripts::FindBySha(const std::string& sha) const {
  for (const auto& [name, entry] : scripts_) {
    if (entry.sha == sha) return &entry;
  }
  return nullptr;
}

const std::string& Scripts::Source(const std::string& name) const { return Find(name).source; }
const std::string& Scripts::Sha(const std::string& name) const { return Find(name).sha; }

std::vector<std::string> Scripts::Command(const std::string& name,
                                          const std::vector<std::string>& keys,
                                          const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(Find(name).sha);
  argv.push_back(std::to_string(keys.size()));
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

absl::StatusOr<Reply> Scripts::Eval(Connection& conn, const std::string& name,
                                    const std::vector<std::string>& keys,
                                    const std::vector<std::string>& args) const {
  auto cmd = Command(name, keys, args);
  auto reply = conn.Command(cmd);
  if (!reply.ok()) return reply.status();
  if (IsNoScript(*reply)) {
    auto load = conn.Command({"SCRIPT", "LOAD", Find(name).source});
    if (!load.ok()) return load.status();
    if (load->is_error()) return absl::InternalError(absl::StrCat(name, ": ", load->str));
    reply = conn.Command(cmd);
    if (!reply.ok()) return reply.status();
  }
  if (reply->is_error())
    return absl::InternalError(absl::StrCat("script ", name, ": ", reply->str));
  return reply;
}

absl::Status Scripts::FixNoScript(Connection& conn,
                                  const std::vector<std::vector<std::string>>& cmds,
                                  std::vector<Reply>& replies) const {
  for (size_t i = 0; i < replies.size() && i < cmds.size(); ++i) {
    if (!IsNoScript(replies[i])) continue;
    const Entry* entry = FindBySha(cmds[i][1]);
    if (entry == nullptr) return absl::InternalError("NOSCRIPT for an unknown script");
    auto load = conn.Command({"SCRIPT", "LOAD", entry->source});
    if (!load.ok()) return load.status();
    auto again = conn.Command(cmds[i]);
    if (!again.ok()) return again.status();
    replies[i] = std::move(*again);
  }
  return absl::OkStatus();
}

}  // namespace omniroute::redis
