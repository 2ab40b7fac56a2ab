// TLS for ddsd's transport on OpenSSL through boost::asio::ssl: the server context built from
// TlsOptions, the check of a client's certificate after the handshake (mongod's rules), and the
// test that tells a TLS ClientHello from a MongoDB message header on a port that accepts both.
//
// The context is built once at startup and then shared, read-only, by every connection on every io
// thread (OpenSSL contexts are thread-safe once configured). The functions are thread-safe.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

#include "common/status.h"
#include "server/tls_options.h"

namespace dds::server {

// mongod's codes for TLS problems (src/mongo/base/error_codes.yml); not in the shared code table,
// since only the transport's logs and startup errors use them.
constexpr int32_t kInvalidSslConfiguration = 140;
constexpr int32_t kSslHandshakeFailed = 141;

// The bytes the transport reads before it decides between TLS and plaintext: a MongoDB message
// header is 16 bytes and a ClientHello is always longer.
constexpr size_t kTlsSniffBytes = 16;

// Builds the server context: TLS 1.2 and later only, the certificate chain and key from
// certificateKeyFile (decrypted with its password), and, when CAFile is set, a request for a client
// certificate (verified later by CheckPeerCertificate). Errors are InvalidSSLConfiguration (140)
// naming the file and OpenSSL's reason.
// REQUIRES: options.enabled().
StatusWith<std::unique_ptr<boost::asio::ssl::context>> MakeServerTlsContext(
    const TlsOptions& options);

// After a successful handshake: accepts or refuses the client's certificate as mongod does. Without
// CAFile anything goes. With it, a missing certificate is refused unless
// allowConnectionsWithoutCertificates, and one that fails verification unless
// allowInvalidCertificates (both allowed cases log a warning). Refusals are SSLHandshakeFailed (141)
// with mongod's message. `remote` is for the log lines.
Status CheckPeerCertificate(SSL* ssl, const TlsOptions& options, const std::string& remote);

// Returns true when the first kTlsSniffBytes bytes of a connection are a TLS handshake record
// carrying a ClientHello (0x16 0x03 .. .. .. 0x01) and not a MongoDB header with a known opCode.
bool LooksLikeTlsClientHello(const unsigned char* first_bytes);

}  // namespace dds::server
