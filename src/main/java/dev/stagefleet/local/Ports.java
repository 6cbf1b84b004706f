package dev.stagefleet.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Checks a loopback port before a part binds it, so a port in use is one clear line, not a bind stack trace. */
final class Ports {
  private Ports() {
  }

  static void ensureFree(int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      probe.setReuseAddress(true);
    } catch (IOException e) {
      throw new IllegalArgumentException("port " + port + " is already in use (choose another port, or 0 for any)");
    }
  }
}
