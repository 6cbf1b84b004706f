package dev.stagefleet.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * An open-loop HTTP/1.1 load generator on plain keep-alive sockets (see {@link OpenLoop} for the arrival and latency
 * rules): {@code maxInFlight} connections, each taking the next due request, sending pre-encoded bytes and reading the
 * answer (Content-Length or chunked). It costs a small fraction of what {@code java.net.http} costs per request, so on
 * a small machine the figures describe the server rather than the client.
 */
public final class HttpLoad {
  private HttpLoad() {
  }

  /** One request, encoded once. */
  public record Request(byte[] bytes) {
  }

  /** A POST of a JSON body to {@code uri}'s path. */
  public static Request post(URI uri, String jsonBody, String... headers) {
    byte[] body = jsonBody.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder();
    head.append("POST ").append(uri.getRawPath()).append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
        .append(" HTTP/1.1\r\nHost: ").append(uri.getHost()).append(':').append(uri.getPort())
        .append("\r\nContent-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    head.append("\r\n");
    byte[] start = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[start.length + body.length];
    System.arraycopy(start, 0, all, 0, start.length);
    System.arraycopy(body, 0, all, start.length, body.length);
    return new Request(all);
  }

  /** Runs a plan against {@code target} (host and port are taken from it), sending {@code request.apply(i)}. */
  public static OpenLoop.Result run(URI target, OpenLoop.Plan plan, IntFunction<Request> request) {
    return run(target, plan, request, null);
  }

  /** As {@link #run(URI, OpenLoop.Plan, IntFunction)}, handing every answer's status and body to {@code sink}. */
  public static OpenLoop.Result run(URI target, OpenLoop.Plan plan, IntFunction<Request> request,
      OpenLoop.AnswerSink sink) {
    double seconds = plan.duration().toNanos() / 1e9;
    int offered = (int) Math.min(Integer.MAX_VALUE - 8, Math.floor(plan.ratePerSecond() * seconds));
    long[] latency = new long[offered];
    long[] completedAt = new long[offered];
    int[] status = new int[offered];
    java.util.Arrays.fill(status, OpenLoop.NOT_SENT);
    double periodNanos = 1e9 / plan.ratePerSecond();
    AtomicInteger next = new AtomicInteger();
    InetSocketAddress address = new InetSocketAddress(target.getHost(), target.getPort());
    int connections = Math.min(plan.maxInFlight(), Math.max(1, offered));
    long start = System.nanoTime() + 50_000_000L;
    long end = start + plan.duration().toNanos();
    List<Thread> workers = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Thread worker = new Thread(() -> {
        HttpConnection connection = new HttpConnection(address);
        try {
          while (true) {
            int i = next.getAndIncrement();
            if (i >= offered) {
              return;
            }
            long intended = start + (long) (i * periodNanos);
            if (intended >= end) {
              return;
            }
            OpenLoop.sleepUntil(intended);
            if (System.nanoTime() >= end) {
              return;
            }
            status[i] = 0;
            byte[] bytes = request.apply(i).bytes();
            int code;
            String body = null;
            try {
              HttpConnection.Answer answer = connection.exchange(bytes, sink != null);
              code = answer.status();
              body = answer.body();
            } catch (IOException e) {
              connection.close();
              code = -1;
              body = e.toString();
            }
            long now = System.nanoTime();
            completedAt[i] = now;
            latency[i] = now - intended;
            status[i] = code;
            if (sink != null) {
              sink.answer(i, code, body);
            }
          }
        } finally {
          connection.close();
        }
      }, "http-load-" + c);
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      try {
        worker.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return OpenLoop.result(plan, offered, status, completedAt, latency, end);
  }

}
