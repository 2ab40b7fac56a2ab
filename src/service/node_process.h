// Node processes: spawning a ddsd for one node, checking that a pid is still that node, and
// stopping it. Nodes run in their own session (setsid) so they outlive a dds-service restart and
// can be adopted by the next one.
//
// Functions are thread-safe (fork/exec from any thread; the child only calls async-signal-safe
// functions before exec).
#pragma once

#include <string>

#include <sys/types.h>

#include "common/status.h"

namespace dds::service {

struct NodeLaunch {
  std::string ddsd_path;
  std::string bind_ip;
  int port = 0;
  std::string node_dir;  // holds db/, ddsd.log, stdout.log and the initial users file
  bool auth = false;
  std::string initial_users_file;  // with auth: the rwuser verifiers (mode 0600)
};

// Starts ddsd for `launch` and returns its pid. Creates node_dir/db when missing.
StatusWith<pid_t> SpawnNode(const NodeLaunch& launch);

// Returns true while `pid` is a live (not zombie) process whose command line is a ddsd serving
// `port`. Reaps `pid` if it is an exited child of this process, and then stores its exit code
// in *exit_code when given (-1 when it died of a signal).
bool NodeProcessAlive(pid_t pid, int port, int* exit_code = nullptr);

// Explains a node's exit code as mongod's codes mean it (48: the port is in use, 100: the data
// directory is unusable or locked, ...), for an instance's fail_reason.
std::string DescribeNodeExit(int exit_code);

// Returns the pid of a live ddsd serving `port` with --dbpath `dbpath` (a node started by a
// previous dds-service that died before recording the pid), or 0.
pid_t FindNodeProcess(const std::string& dbpath, int port);

// Sends SIGTERM, waits up to `timeout_ms`, then SIGKILL. OK when the process is gone.
Status StopNodeProcess(pid_t pid, int port, int timeout_ms);

// Returns the last `max_bytes` of the file at `path` ("" when unreadable).
std::string TailFile(const std::string& path, size_t max_bytes);

}  // namespace dds::service
