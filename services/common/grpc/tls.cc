#include "services/common/grpc/tls.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace omniroute::tls {
namespace {

// The file's contents, or InvalidArgument naming the flag it came from.
absl::StatusOr<std::string> ReadPem(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": cannot read '", path, "'"));
  }
  if (text.str().find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": '", path, "' holds no PEM block"));
  }
  return text.str();
}

// A certificate needs its key and a key its certificate.
absl::Status CheckPair(const std::string& cert_file, const std::string& key_file) {
  if (cert_file.empty() == key_file.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(cert_file.empty() ? "--tls-key: given without --tls-cert"
                                                      : "--tls-cert: given without --tls-key");
}

// OK when the first certificate of `cert_pem` belongs to the private key in `key_pem`.
absl::Status CheckKeyMatches(const std::string& cert_pem, const std::string& key_pem) {
  BIO* cert_bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  absl::Status st;
  if (cert == nullptr) {
    st = absl::InvalidArgumentError("--tls-cert: holds no readable certificate");
  } else if (key == nullptr) {
    st = absl::InvalidArgumentError("--tls-key: holds no readable (unencrypted) private key");
  } else if (X509_check_private_key(cert, key) != 1) {
    st = absl::InvalidArgumentError("--tls-key: is not the key of the --tls-cert certificate");
  }
  EVP_PKEY_free(key);
  X509_free(cert);
  BIO_free(key_bio);
  BIO_free(cert_bio);
  return st;
}

}  // namespace

void AddServerFlags(config::Flags& flags, ServerFiles* files) {
  flags.Add("tls-cert", &files->cert_file,
            "PEM certificate chain of the gRPC port; set = TLS (with --tls-key), empty = "
            "plaintext");
  flags.Add("tls-key", &files->key_file, "PEM private key of --tls-cert");
  flags.Add("tls-client-ca", &files->client_ca_file,
            "PEM CA bundle; set = mTLS: clients must present a certificate it verifies");
  flags.Add("tls-refresh-seconds", &files->refresh_seconds,
            "how often the TLS files are re-read, so a rotated certificate is served without a "
            "restart");
}

absl::Status Validate(const ServerFiles& files) {
  if (auto st = CheckPair(files.cert_file, files.key_file); !st.ok()) return st;
  if (!files.client_ca_file.empty() && !files.enabled()) {
    return absl::InvalidArgumentError(
        "--tls-client-ca: mTLS needs the server's own --tls-cert and --tls-key");
  }
  if (files.refresh_seconds < 1 || files.refresh_seconds > 86400) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-refresh-seconds: must be 1..86400, got ", files.refresh_seconds));
  }
  if (!files.client_ca_file.empty()) {
    if (auto ca = ReadPem("tls-client-ca", files.client_ca_file); !ca.ok()) return ca.status();
  }
  if (!files.enabled()) return absl::OkStatus();
  auto cert = ReadPem("tls-cert", files.cert_file);
  if (!cert.ok()) return cert.status();
  auto key = ReadPem("tls-key", files.key_file);
  if (!key.ok()) return key.status();
  return CheckKeyMatches(*cert, *key);
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentials(const ServerFiles& files) {
  if (!files.enabled()) return grpc::InsecureServerCredentials();
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      files.key_file, files.cert_file, files.client_ca_file,
      static_cast<unsigned int>(files.refresh_seconds));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (files.client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

void AddClientFlags(config::Flags& flags, ClientFiles* files) {
  flags.Add("tls", &files->use_tls,
            "connect over TLS, trusting the system's CAs (implied by --tls-ca and --tls-cert)");
  flags.Add("tls-ca", &files->ca_file, "PEM CA bundle that verifies the servers (TLS)");
  flags.Add("tls-cert", &files->cert_file, "PEM client certificate chain, for mTLS");
  flags.Add("tls-key", &files->key_file, "PEM private key of --tls-cert");
  flags.Add("tls-server-name", &files->server_name,
            "name the server certificate must carry (default: the address's host)");
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const ClientFiles& files) {
  if (!files.enabled()) return grpc::InsecureChannelCredentials();
  if (auto st = CheckPair(files.cert_file, files.key_file); !st.ok()) return st;
  grpc::SslCredentialsOptions options;
  if (!files.ca_file.empty()) {
    auto ca = ReadPem("tls-ca", files.ca_file);
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
  }
  if (!files.cert_file.empty()) {
    auto cert = ReadPem("tls-cert", files.cert_file);
    if (!cert.ok()) return cert.status();
    auto key = ReadPem("tls-key", files.key_file);
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *cert;
    options.pem_private_key = *key;
  }
  return grpc::SslCredentials(options);
}

}  // namespace omniroute::tls
