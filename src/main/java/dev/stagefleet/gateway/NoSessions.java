package dev.stagefleet.gateway;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Enumeration;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

/**
 * Keeps the gateway free of HTTP sessions. Javalin reads the session's attributes for every WebSocket upgrade, which
 * makes Jetty create a session (and a JSESSIONID cookie) per attempt, refused or not; nothing here uses sessions, so
 * requests see a session that holds nothing, is never stored and sets no cookie.
 */
final class NoSessions implements Filter {

  private NoSessions() {
  }

  /** Puts the filter in front of every request of the context. */
  static void install(ServletContextHandler context) {
    context.addFilter(new FilterHolder(new NoSessions()), "/*", EnumSet.allOf(DispatcherType.class));
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (request instanceof HttpServletRequest http) {
      chain.doFilter(new Sessionless(http), response);
    } else {
      chain.doFilter(request, response);
    }
  }

  private static final class Sessionless extends HttpServletRequestWrapper {
    private final EmptySession empty;

    Sessionless(HttpServletRequest request) {
      super(request);
      this.empty = new EmptySession(request.getServletContext());
    }

    @Override
    public HttpSession getSession(boolean create) {
      return create ? empty : null;
    }

    @Override
    public HttpSession getSession() {
      return empty;
    }

    @Override
    public String changeSessionId() {
      throw new IllegalStateException("the gateway keeps no sessions");
    }

    @Override
    public String getRequestedSessionId() {
      return null;
    }

    @Override
    public boolean isRequestedSessionIdValid() {
      return false;
    }
  }

  /** A session that exists only for the call that asked for it; storing anything in it is refused. */
  private record EmptySession(ServletContext context) implements HttpSession {
    @Override
    public long getCreationTime() {
      return 0;
    }

    @Override
    public String getId() {
      return "";
    }

    @Override
    public long getLastAccessedTime() {
      return 0;
    }

    @Override
    public ServletContext getServletContext() {
      return context;
    }

    @Override
    public void setMaxInactiveInterval(int interval) {
      // nothing is kept, so nothing expires
    }

    @Override
    public int getMaxInactiveInterval() {
      return 0;
    }

    @Override
    public Object getAttribute(String name) {
      return null;
    }

    @Override
    public Enumeration<String> getAttributeNames() {
      return Collections.emptyEnumeration();
    }

    @Override
    public void setAttribute(String name, Object value) {
      throw new UnsupportedOperationException("the gateway keeps no sessions");
    }

    @Override
    public void removeAttribute(String name) {
      // nothing to remove
    }

    @Override
    public void invalidate() {
      // nothing to invalidate
    }

    @Override
    public boolean isNew() {
      return true;
    }
  }
}
