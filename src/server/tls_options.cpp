#include "server/tls_options.h"

namespace dds::server {

namespace {

struct ModeName {
  TlsMode mode;
  std::string_view name;
  std::string_view legacy_name;  // net.ssl.mode spelling
};

constexpr ModeName kModes[] = {
    {TlsMode::kDisabled, "disabled", "disabled"},
    {TlsMode::kAllowTls, "allowTLS", "allowSSL"},
    {TlsMode::kPreferTls, "preferTLS", "preferSSL"},
    {TlsMode::kRequireTls, "requireTLS", "requireSSL"},
};

}  // namespace

StatusWith<TlsMode> ParseTlsMode(std::string_view text) {
  for (const ModeName& m : kModes) {
    if (text == m.name || text == m.legacy_name) return m.mode;
  }
  return Status(ErrorCode::kBadValue,
                "Invalid value for net.tls.mode: '" + std::string(text) +
                    "' (expected disabled, allowTLS, preferTLS or requireTLS)");
}

std::string_view TlsModeName(TlsMode mode) {
  for (const ModeName& m : kModes) {
    if (m.mode == mode) return m.name;
  }
  return "disabled";
}

Status ValidateTlsOptions(const TlsOptions& o) {
  if (o.enabled()) {
    // mongod's wording (ssl_options_server.cpp).
    if (o.certificate_key_file.empty()) {
      return Status(ErrorCode::kBadValue,
                    "need tlsCertificateKeyFile or certificateSelector when TLS is enabled");
    }
    return Status::OK();
  }
  if (!o.certificate_key_file.empty() || !o.certificate_key_file_password.empty() ||
      !o.ca_file.empty() || o.allow_connections_without_certificates) {
    return Status(ErrorCode::kBadValue,
                  "need to enable TLS via the sslMode/tlsMode flag when using TLS configuration "
                  "parameters");
  }
  return Status::OK();
}

}  // namespace dds::server
