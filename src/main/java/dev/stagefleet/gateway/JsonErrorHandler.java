package dev.stagefleet.gateway;

import java.io.IOException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answer to requests it refuses before any route sees them (a malformed URI, version or header): the same
 * JSON {@code {"error": ..., "message": ...}} as every other error, instead of Jetty's HTML page, for every method (no
 * body for HEAD). Such a request leaves the connection in a state Jetty does not reuse, so the answer says
 * {@code Connection: close} rather than letting a keep-alive client find out by a reset.
 */
final class JsonErrorHandler extends ErrorHandler {

  @Override
  public boolean errorPageForMethod(String method) {
    // Jetty answers only GET, POST and HEAD with an error body by default; every error here is JSON
    return true;
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) throws IOException {
    String text = message == null || message.isBlank() ? "the request was refused (HTTP " + code + ")" : message;
    ApiError error = new ApiError(code, ApiError.codeFor(code), text);
    byte[] body = SocketMessages.JSON.writeValueAsBytes(error.body());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
    if (HttpMethod.HEAD.is(request.getMethod())) {
      response.write(true, BufferUtil.EMPTY_BUFFER, callback);
    } else {
      response.write(true, BufferUtil.toBuffer(body), callback);
    }
  }
}
