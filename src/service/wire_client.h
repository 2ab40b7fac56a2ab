// A minimal MongoDB wire-protocol client for health checks: one OP_MSG {hello: 1, $db: "admin"}
// over a fresh TCP connection with timeouts, reply parsed and checked for ok: 1.
//
// Stateless functions; thread-safe.
#pragma once

#include <string>

#include "common/status.h"

namespace dds::service {

// Sends hello to host:port and waits for an ok reply. Returns HostUnreachable, NetworkTimeout,
// ProtocolError or the command's error. On success `reply_json` (optional) gets the reply as JSON.
Status WireHello(const std::string& host, int port, int timeout_ms,
                 std::string* reply_json = nullptr);

// Returns true when a TCP listener can be bound at host:port right now.
bool PortIsFree(const std::string& host, int port);

}  // namespace dds::service
