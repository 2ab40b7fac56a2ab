#include "service/node_process.h"

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dds::service {

StatusWith<pid_t> SpawnNode(const NodeLaunch& launch) {
  std::error_code ec;
  std::filesystem::create_directories(launch.node_dir + "/db", ec);
  if (ec) return Status(ErrorCode::kInternalError, "cannot create node dir: " + ec.message());
  if (::access(launch.ddsd_path.c_str(), X_OK) != 0) {
    return Status(ErrorCode::kInternalError, "ddsd binary not executable: " + launch.ddsd_path);
  }
  std::vector<std::string> args = {launch.ddsd_path,
                                   "--port",
                                   std::to_string(launch.port),
                                   "--bind_ip",
                                   launch.bind_ip,
                                   "--dbpath",
                                   launch.node_dir + "/db",
                                   "--logpath",
                                   launch.node_dir + "/ddsd.log",
                                   "--logappend",
                                   "--quiet"};
  if (launch.auth) {
    args.push_back("--auth");
    if (!launch.initial_users_file.empty()) {
      args.push_back("--initialUsersFile");
      args.push_back(launch.initial_users_file);
    }
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string out_path = launch.node_dir + "/stdout.log";

  pid_t pid = ::fork();
  if (pid < 0) return Status(ErrorCode::kInternalError, "fork failed");
  if (pid == 0) {
    // Child: own session, output to stdout.log, no inherited descriptors.
    ::setsid();
    int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    for (int i = 3; i < 1024; ++i) ::close(i);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

bool NodeProcessAlive(pid_t pid, int port, int* exit_code) {
  if (pid <= 0) return false;
  int st = 0;
  pid_t r = ::waitpid(pid, &st, WNOHANG);
  if (r == pid) {  // our child, now reaped
    if (exit_code != nullptr) *exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return false;
  }
  if (r == 0) return true;     // our child, still running (maybe not yet exec'd)
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return false;
  std::string line;
  std::getline(stat, line);
  size_t close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size()) return false;
  char state = line[close + 2];
  if (state == 'Z' || state == 'X') return false;
  // Guard against pid reuse: the command line must be a ddsd with this port.
  std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline");
  std::stringstream ss;
  ss << cmd.rdbuf();
  std::string cmdline = ss.str();
  std::string want_port = std::string("--port") + '\0' + std::to_string(port) + '\0';
  return cmdline.find("ddsd") != std::string::npos && cmdline.find(want_port) != std::string::npos;
}

pid_t FindNodeProcess(const std::string& dbpath, int port) {
  std::error_code ec;
  std::string want = std::string("--dbpath") + '\0' + dbpath + '\0';
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmd(entry.path() / "cmdline");
    std::stringstream ss;
    ss << cmd.rdbuf();
    if (ss.str().find(want) == std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(name));
    if (NodeProcessAlive(pid, port)) return pid;
  }
  return 0;
}

Status StopNodeProcess(pid_t pid, int port, int timeout_ms) {
  if (!NodeProcessAlive(pid, port)) return Status::OK();
  ::kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!NodeProcessAlive(pid, port)) return Status::OK();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 100; ++i) {
    if (!NodeProcessAlive(pid, port)) return Status::OK();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status(ErrorCode::kInternalError, "node process " + std::to_string(pid) + " did not stop");
}

std::string DescribeNodeExit(int exit_code) {
  switch (exit_code) {
    case -1: return "killed by a signal";
    case 2: return "exit code 2 (bad options or configuration)";
    case 48: return "exit code 48 (network error: the port is in use or cannot be bound)";
    case 100: return "exit code 100 (the data directory is unusable or locked by another process)";
    default: return "exit code " + std::to_string(exit_code);
  }
}

std::string TailFile(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff start = size > static_cast<std::streamoff>(max_bytes)
                             ? size - static_cast<std::streamoff>(max_bytes)
                             : 0;
  in.seekg(start);
  std::string out(static_cast<size_t>(size - start), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  return out;
}

}  // namespace dds::service
