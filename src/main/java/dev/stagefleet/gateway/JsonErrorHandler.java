package dev.stagefleet.gateway;

import java.io.IOException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answer to requests it refuses before any route sees them (a malformed URI or header): the same JSON
 * {@code {"error": ..., "message": ...}} as every other error, instead of Jetty's HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) throws IOException {
    String text = message == null || message.isBlank() ? "the request was refused (HTTP " + code + ")" : message;
    ApiError error = new ApiError(code, GatewayServer.errorCode(code), text);
    byte[] body = SocketMessages.JSON.writeValueAsBytes(error.body());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, BufferUtil.toBuffer(body), callback);
  }
}
