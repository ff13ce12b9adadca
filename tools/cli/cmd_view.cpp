// `greenwave view`: serves the web viewer (compiled into the binary from viewer/) and one replay
// file on localhost, one thread per connection, until interrupted.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "args.hpp"
#include "commands.hpp"
#include "embedded_files.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/env/replay.hpp"

namespace greenwave::cli {
namespace {

/// Checks that `path` is a replay this viewer reads (the raw header of docs/replay.md).
void check_replay(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, std::string("cannot open the replay: ") + std::strerror(errno));
  char header[12] = {};
  in.read(header, sizeof header);
  if (in.gcount() < 12 || std::string_view(header, 8) != "GWREPLAY")
    throw ConfigError(path, "not a greenwave replay (no GWREPLAY header; write one with run/eval --replay)");
  std::uint32_t version = 0;
  std::memcpy(&version, header + 8, 4);
  if (version != kReplayVersion)
    throw ConfigError(path, "replay format version " + std::to_string(version) + ", this greenwave reads version " +
                                std::to_string(kReplayVersion));
}

/// The Content-Type of a file name.
std::string_view mime_type(std::string_view name) {
  const auto ends = [&](std::string_view ext) { return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext; };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

/// Sends all of `data`; false when the peer went away.
bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

/// Sends a status line, headers and (unless `head_only`) the body.
void respond(int fd, std::string_view status, std::string_view type, std::string_view body, bool head_only) {
  std::string head = "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: " + std::string(type) +
                     "\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
  if (send_all(fd, head.data(), head.size()) && !head_only) send_all(fd, body.data(), body.size());
}

/// Answers one request on `fd` and closes it: GET/HEAD of /, a viewer file, or /replay.gwr.
void serve_connection(int fd, const std::string& replay_path) {
  std::string request;
  char buf[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    request.append(buf, static_cast<std::size_t>(n));
  }
  const std::size_t sp1 = request.find(' '), sp2 = request.find(' ', sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) {
    respond(fd, "400 Bad Request", "text/plain", "bad request\n", false);
    ::close(fd);
    return;
  }
  const std::string method = request.substr(0, sp1);
  std::string target = request.substr(sp1 + 1, sp2 - sp1 - 1);
  target = target.substr(0, target.find('?'));
  const bool head_only = method == "HEAD";
  if (method != "GET" && !head_only) {
    respond(fd, "405 Method Not Allowed", "text/plain", "only GET and HEAD\n", false);
  } else if (target == "/replay.gwr") {
    std::ifstream in(replay_path, std::ios::binary);
    const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.eof() && !in) respond(fd, "500 Internal Server Error", "text/plain", "cannot read the replay\n", head_only);
    else respond(fd, "200 OK", "application/octet-stream", body, head_only);
  } else {
    const std::string_view name = target == "/" ? std::string_view("index.html") : std::string_view(target).substr(1);
    bool found = false;
    for (const EmbeddedFile& f : kEmbeddedFiles) {
      if (f.name != name) continue;
      respond(fd, "200 OK", mime_type(f.name), f.content, head_only);
      found = true;
      break;
    }
    if (!found) respond(fd, "404 Not Found", "text/plain", "not found: " + target + "\n", head_only);
  }
  ::close(fd);
}

}  // namespace

int cmd_view(int argc, char** argv) {
  const Args args(argc, argv, 2, {"help"}, {"port"});
  if (args.flag("help") || args.positional().size() != 1) {
    std::cout << "usage: greenwave view REPLAY.gwr [--port P]\n"
                 "Serves the web viewer and REPLAY (written by run/eval --replay; docs/replay.md) on\n"
                 "http://127.0.0.1:P/ (default P 8000; 0 picks a free port), prints the URL and serves until\n"
                 "interrupted (Ctrl-C). Open the URL in a browser: play, pause, speed, scrub; click an\n"
                 "intersection for its phase, queue and served vehicles (docs/viewer.md).\n";
    return args.flag("help") ? 0 : 2;
  }
  const std::string path = args.positional()[0];
  check_replay(path);
  const long long port = args.get_int("port", 8000);
  if (port < 0 || port > 65535) throw ConfigError("--port", "expected 0..65535, got " + std::to_string(port));

  const int server = ::socket(AF_INET, SOCK_STREAM, 0);
  if (server < 0) throw ConfigError("--port", std::string("cannot create a socket: ") + std::strerror(errno));
  const int yes = 1;
  ::setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::bind(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(server, 64) != 0) {
    const std::string why = std::strerror(errno);
    ::close(server);
    throw ConfigError("--port", "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + why);
  }
  socklen_t len = sizeof addr;
  ::getsockname(server, reinterpret_cast<sockaddr*>(&addr), &len);
  std::cout << "serving " << path << " at http://127.0.0.1:" << ntohs(addr.sin_port) << "/ (Ctrl-C stops)" << std::endl;
  for (;;) {
    const int fd = ::accept(server, nullptr, nullptr);
    if (fd < 0) {
      if (errno == EINTR) continue;
      throw ConfigError("--port", std::string("accept failed: ") + std::strerror(errno));
    }
    std::thread(serve_connection, fd, path).detach();
  }
}

}  // namespace greenwave::cli
