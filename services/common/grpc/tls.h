#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/config/flags.h"

namespace omniroute::tls {

// The TLS files of a server's gRPC port. Without a certificate the port is plaintext.
struct ServerFiles {
  std::string cert_file;       // PEM certificate chain (leaf first)
  std::string key_file;        // PEM private key of the leaf
  std::string client_ca_file;  // PEM CA bundle; set = mTLS: every client must present a
                               // certificate this bundle verifies
  int refresh_seconds = 60;    // how often the files are re-read (rotation without a restart)

  bool enabled() const { return !cert_file.empty(); }
};

// --tls-cert, --tls-key, --tls-client-ca, --tls-refresh-seconds (and their OMNIROUTE_TLS_*
// environment forms).
void AddServerFlags(config::Flags& flags, ServerFiles* files);

// Checks the combination (certificate and key together, a client CA only with them, a refresh
// of 1..86400 s), that each named file can be read and that the key is the certificate's; the
// error names the flag.
absl::Status Validate(const ServerFiles& files);

// Plaintext credentials when !files.enabled(); otherwise TLS credentials whose provider re-reads
// the files every refresh_seconds, so a certificate rotated on disk serves new handshakes
// without a restart (connections already open keep theirs). Call after Validate.
std::shared_ptr<grpc::ServerCredentials> ServerCredentials(const ServerFiles& files);

// How a client reaches a TLS port: trusted CA, optional client certificate (mTLS) and the name
// the server's certificate must carry when it differs from the address's host.
struct ClientFiles {
  bool use_tls = false;     // TLS with the system's trusted CAs when ca_file is empty
  std::string ca_file;      // PEM CA bundle that verifies the server
  std::string cert_file;    // PEM client certificate chain (mTLS)
  std::string key_file;     // PEM key of the client certificate
  std::string server_name;  // expected name in the server certificate (default: the host)

  bool enabled() const { return use_tls || !ca_file.empty() || !cert_file.empty(); }
};

// --tls, --tls-ca, --tls-cert, --tls-key, --tls-server-name.
void AddClientFlags(config::Flags& flags, ClientFiles* files);

// Reads the files into channel credentials: plaintext when !files.enabled(). InvalidArgument
// names the flag of a file that cannot be read or a certificate without its key.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const ClientFiles& files);

}  // namespace omniroute::tls
