// TlsOptions: ddsd's TLS settings, named as mongod names them (net.tls.* in the config file,
// --tls* flags), and the checks mongod applies to them at startup.
//
// Plain data; the functions are pure and thread-safe. The OpenSSL context built from these
// options lives in server/tls_context.h.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace dds::server {

// net.tls.mode. allowTLS and preferTLS accept TLS and plaintext on the same port (they differ in
// outgoing connections only, which ddsd does not make); requireTLS refuses plaintext.
enum class TlsMode { kDisabled, kAllowTls, kPreferTls, kRequireTls };

struct TlsOptions {
  // net.tls.mode / --tlsMode. Default: disabled.
  TlsMode mode = TlsMode::kDisabled;
  // net.tls.certificateKeyFile / --tlsCertificateKeyFile: PEM with the server certificate (and
  // its chain) and private key. Required unless mode is disabled. Default: "".
  std::string certificate_key_file;
  // net.tls.certificateKeyFilePassword / --tlsCertificateKeyFilePassword: decrypts the key.
  // Default: "" (key not encrypted).
  std::string certificate_key_file_password;
  // net.tls.CAFile / --tlsCAFile: CAs that client certificates must chain to. When set, clients
  // are asked for a certificate and one that does not verify is refused. Default: "" (client
  // certificates are neither requested nor checked).
  std::string ca_file;
  // net.tls.allowConnectionsWithoutCertificates / --tlsAllowConnectionsWithoutCertificates: with
  // CAFile, a client that presents no certificate is still accepted (one that presents an
  // invalid certificate is not). Default: false.
  bool allow_connections_without_certificates = false;
  // net.tls.allowInvalidCertificates / --tlsAllowInvalidCertificates: client certificates that
  // fail verification are accepted with a warning. Default: false.
  bool allow_invalid_certificates = false;

  // Returns true when the server speaks TLS at all.
  bool enabled() const { return mode != TlsMode::kDisabled; }
};

// Parses a net.tls.mode value ("disabled", "allowTLS", "preferTLS", "requireTLS"; mongod's older
// spellings "allowSSL", "preferSSL", "requireSSL" are accepted too). BadValue otherwise.
StatusWith<TlsMode> ParseTlsMode(std::string_view text);

// Returns mongod's name of `mode` ("requireTLS").
std::string_view TlsModeName(TlsMode mode);

// mongod's startup checks: a certificate is required when TLS is on, and the file options make no
// sense when it is off. BadValue with mongod's messages.
Status ValidateTlsOptions(const TlsOptions& options);

}  // namespace dds::server
