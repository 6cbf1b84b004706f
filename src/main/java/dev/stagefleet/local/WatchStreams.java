package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves watches over chunked HTTP, as kubectl and client-go watch: the response stays open and carries one
 * {@link WatchEvents} line per change from the {@link ChangeJournal}, until {@code timeoutSeconds} (else 30 to 60
 * minutes, as kube-apiserver's default) or the client goes away. The CRUD store serves only WebSocket watches.
 */
final class WatchStreams {
  /** kube-apiserver's --min-request-timeout: a watch without timeoutSeconds lasts between one and two of these. */
  private static final Duration MIN_REQUEST_TIMEOUT = Duration.ofMinutes(30);

  private final Vertx vertx;
  private final KubectlDispatcher api;
  private final ChangeJournal journal;
  private final Duration bookmarkInterval;

  WatchStreams(Vertx vertx, KubectlDispatcher api, ChangeJournal journal, Duration bookmarkInterval) {
    this.vertx = vertx;
    this.api = api;
    this.journal = journal;
    this.bookmarkInterval = bookmarkInterval;
  }

  /** Whether this request is a watch over plain HTTP (a WebSocket upgrade goes to the store). */
  static boolean isHttpWatch(HttpServerRequest request) {
    if (request.method() != io.vertx.core.http.HttpMethod.GET
        || "websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
      return false;
    }
    return WatchQuery.isWatch(request.path(), query(request));
  }

  void serve(HttpServerRequest request) {
    WatchQuery query;
    WatchEvents events;
    try {
      query = WatchQuery.parse(request.path(), query(request), request.getHeader("Accept"));
      events = api.watchEvents(query);
    } catch (ApiException e) {
      refuse(request.response(), e.response());
      return;
    }
    HttpServerResponse response = request.response().setStatusCode(200).setChunked(true)
        .putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-cache, private");
    Stream stream = new Stream(response, events);
    // the client counts the watch as open once it has the headers, before any event
    response.write(Buffer.buffer());
    long after = query.sendInitialEvents() ? sendInitialEvents(query, events, stream) : query.afterVersion().orElse(0);
    Runnable unsubscribe;
    try {
      unsubscribe = journal.subscribe(after, stream);
    } catch (ChangeJournal.Expired e) {
      stream.write(WatchEvents.expired(e.getMessage()));
      stream.end();
      return;
    }
    keepOpen(query, stream, after, unsubscribe);
  }

  /** Sends the current objects as ADDED events; returns the version the changes continue from. */
  private long sendInitialEvents(WatchQuery query, WatchEvents events, Stream stream) {
    JsonNode list = api.list(query);
    events.initial(list).forEach(stream::write);
    long listed = Long.parseLong(list.path("metadata").path("resourceVersion").asText("0"));
    if (query.bookmarks() && query.initialEventsRequested()) {
      stream.write(events.bookmark(listed, true));
    }
    return listed;
  }

  /** Bookmarks the stream while it is open and ends it at its timeout; the client leaving ends it too. */
  private void keepOpen(WatchQuery query, Stream stream, long after, Runnable unsubscribe) {
    long bookmarks = query.bookmarks()
        ? vertx.setPeriodic(bookmarkInterval.toMillis(), id -> journal.reportProgress(stream, after)) : -1;
    // as kube-apiserver, timeoutSeconds=0 means no timeout given
    long timeoutMillis = query.timeoutSeconds().orElse(0) > 0 ? query.timeoutSeconds().getAsLong() * 1000
        : (long) (MIN_REQUEST_TIMEOUT.toMillis() * (1 + ThreadLocalRandom.current().nextDouble()));
    AtomicBoolean closed = new AtomicBoolean();
    Runnable close = () -> {
      if (closed.compareAndSet(false, true)) {
        unsubscribe.run();
        vertx.cancelTimer(bookmarks);
      }
    };
    long timeout = vertx.setTimer(timeoutMillis, id -> {
      if (query.bookmarks()) {
        // kube-apiserver bookmarks a watch just before it times out, so the client resumes without a list
        journal.reportProgress(stream, after);
      }
      close.run();
      stream.end();
    });
    stream.response.closeHandler(v -> {
      close.run();
      vertx.cancelTimer(timeout);
    });
  }

  private static String query(HttpServerRequest request) {
    return request.query() == null ? "" : request.query();
  }

  private static void refuse(HttpServerResponse response, MockResponse answer) {
    response.setStatusCode(answer.code()).putHeader("Content-Type", "application/json")
        .end(Buffer.buffer(answer.getBody().getBytes()));
  }

  /** One open watch response, fed by the journal. */
  private static final class Stream implements ChangeJournal.Subscriber {
    private final HttpServerResponse response;
    private final WatchEvents events;

    Stream(HttpServerResponse response, WatchEvents events) {
      this.response = response;
      this.events = events;
    }

    @Override
    public void change(ChangeJournal.Change change) {
      events.eventFor(change).ifPresent(this::write);
    }

    @Override
    public void progress(long resourceVersion) {
      write(events.bookmark(resourceVersion, false));
    }

    void write(String line) {
      // a client gone between two changes must not fail the write that made the second
      if (!response.ended() && !response.closed()) {
        try {
          response.write(line);
        } catch (IllegalStateException e) {
          // closed meanwhile; the close handler unsubscribes
        }
      }
    }

    void end() {
      if (!response.ended() && !response.closed()) {
        try {
          response.end();
        } catch (IllegalStateException e) {
          // closed meanwhile
        }
      }
    }
  }
}
