package dev.stagefleet.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** One HTTP/1.1 keep-alive connection of the load generator; reconnects after the server closed it. Not thread-safe. */
final class HttpConnection {
  private static final int SO_TIMEOUT_MS = 30_000;

  /** An answer: status, body (when asked for) and the Retry-After header in seconds (-1 when absent). */
  record Answer(int status, String body, int retryAfterSeconds) {
  }

  private final InetSocketAddress address;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  HttpConnection(InetSocketAddress address) {
    this.address = address;
  }

  Answer exchange(byte[] request, boolean wantBody) throws IOException {
    if (socket == null) {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(SO_TIMEOUT_MS);
      socket.connect(address, 5_000);
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      out = socket.getOutputStream();
    }
    out.write(request);
    out.flush();
    String statusLine = line(in);
    if (statusLine == null) {
      throw new IOException("the server closed the connection");
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    int retryAfter = -1;
    String header;
    while ((header = line(in)) != null && !header.isEmpty()) {
      int colon = header.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> close = value.equalsIgnoreCase("close");
        case "retry-after" -> retryAfter = parseSeconds(value);
        default -> { }
      }
    }
    ByteArrayOutputStream body = wantBody ? new ByteArrayOutputStream() : null;
    if (chunked) {
      while (true) {
        String size = line(in);
        if (size == null) {
          throw new IOException("the server closed the connection inside a chunked body");
        }
        int semicolon = size.indexOf(';');
        long n = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        if (n == 0) {
          while ((header = line(in)) != null && !header.isEmpty()) {
            // trailers
          }
          break;
        }
        copy(in, n, body);
        line(in);
      }
    } else if (length >= 0) {
      copy(in, length, body);
    } else {
      close = true;
      copy(in, Long.MAX_VALUE, body);
    }
    if (close) {
      close();
    }
    return new Answer(status, body == null ? null : body.toString(StandardCharsets.UTF_8), retryAfter);
  }

  private static int parseSeconds(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing a broken connection: nothing left to do
      }
      socket = null;
    }
  }

  private static void copy(InputStream in, long n, ByteArrayOutputStream to) throws IOException {
    byte[] buffer = new byte[8192];
    long left = n;
    while (left > 0) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        if (n == Long.MAX_VALUE) {
          return;
        }
        throw new IOException("the server closed the connection inside a body");
      }
      if (to != null) {
        to.write(buffer, 0, read);
      }
      left -= read;
    }
  }

  /** A CRLF-terminated line (without it), or null at the end of the stream. */
  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder(64);
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int len = line.length();
        if (len > 0 && line.charAt(len - 1) == '\r') {
          line.setLength(len - 1);
        }
        return line.toString();
      }
      line.append((char) c);
    }
    return line.length() == 0 ? null : line.toString();
  }
}
