#include "server/tls_context.h"

#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "common/logging.h"

namespace dds::server {

namespace asio = boost::asio;

namespace {

// MongoDB opCodes a client may open a connection with (OP_MSG, OP_QUERY, OP_COMPRESSED, ...).
constexpr int32_t kKnownOpCodes[] = {1, 2001, 2002, 2004, 2005, 2006, 2007, 2010, 2011, 2012, 2013};

std::string OpenSslError(const boost::system::error_code& ec) {
  std::string out = ec.message();
  // asio keeps only the first queued error; the rest would leak into the next call.
  ERR_clear_error();
  return out;
}

Status ConfigError(const std::string& what) { return Status(kInvalidSslConfiguration, what); }

}  // namespace

StatusWith<std::unique_ptr<asio::ssl::context>> MakeServerTlsContext(const TlsOptions& options) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  boost::system::error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression |
                       asio::ssl::context::single_dh_use,
                   ec);
  if (ec || SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return ConfigError("Can not set the minimum TLS protocol version to TLS 1.2");
  }
  // Idle connections give their record buffers back (sessions hold no buffer while idle).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  // Required for session resumption when client certificates are requested.
  static constexpr unsigned char kSessionContext[] = "ddsd";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);

  // Always a callback: OpenSSL's default would prompt on the terminal for an encrypted key.
  const std::string password = options.certificate_key_file_password;
  ctx->set_password_callback(
      [password](size_t, asio::ssl::context::password_purpose) { return password; });
  const std::string& pem = options.certificate_key_file;
  ctx->use_certificate_chain_file(pem, ec);
  if (ec) {
    return ConfigError("Can not set up PEM key file. cannot read certificate file: " + pem + " " +
                       OpenSslError(ec));
  }
  ctx->use_private_key_file(pem, asio::ssl::context::pem, ec);
  if (ec) {
    return ConfigError("Can not set up PEM key file. cannot read PEM key file: " + pem + " " +
                       OpenSslError(ec));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return ConfigError("Can not set up PEM key file. the private key in " + pem +
                       " does not match its certificate");
  }

  if (options.ca_file.empty()) {
    ctx->set_verify_mode(asio::ssl::verify_none);
    return ctx;
  }
  ctx->load_verify_file(options.ca_file, ec);
  if (ec) {
    return ConfigError("Can not set up CA file. cannot read certificate file: " + options.ca_file +
                       " " + OpenSslError(ec));
  }
  // Tell clients which CAs we accept, so that they pick the right certificate.
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.ca_file.c_str())) {
    SSL_CTX_set_client_CA_list(native, names);
  }
  // Ask for a certificate but let the handshake finish: CheckPeerCertificate applies mongod's
  // rules afterwards (the verification result stays available through SSL_get_verify_result).
  ctx->set_verify_mode(asio::ssl::verify_peer);
  ctx->set_verify_callback([](bool, asio::ssl::verify_context&) { return true; });
  return ctx;
}

Status CheckPeerCertificate(SSL* ssl, const TlsOptions& options, const std::string& remote) {
  if (options.ca_file.empty()) return Status::OK();
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  X509* cert = SSL_get1_peer_certificate(ssl);
#else
  X509* cert = SSL_get_peer_certificate(ssl);
#endif
  if (cert == nullptr) {
    if (options.allow_connections_without_certificates) {
      DDS_LOG_WARNING("NETWORK", 23234, "No SSL certificate provided by peer",
                      {{"remote", remote}});
      return Status::OK();
    }
    return Status(kSslHandshakeFailed, "no SSL certificate provided by peer; connection rejected");
  }
  X509_free(cert);
  const long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return Status::OK();
  const std::string reason = X509_verify_cert_error_string(result);
  if (options.allow_invalid_certificates) {
    DDS_LOG_WARNING("NETWORK", 23236, "SSL peer certificate validation failed",
                    {{"error", reason}, {"remote", remote}});
    return Status::OK();
  }
  return Status(kSslHandshakeFailed, "SSL peer certificate validation failed: " + reason);
}

bool LooksLikeTlsClientHello(const unsigned char* b) {
  // TLS record: content type 22 (handshake), version 3.x, length; then handshake type 1.
  if (b[0] != 0x16 || b[1] != 0x03 || b[5] != 0x01) return false;
  // Bytes 12..15 are random in a ClientHello and the opCode in a MongoDB header.
  int32_t op_code = 0;
  for (int i = 3; i >= 0; --i) op_code = (op_code << 8) | b[12 + i];
  for (int32_t known : kKnownOpCodes) {
    if (op_code == known) return false;
  }
  return true;
}

}  // namespace dds::server
