package dev.stagefleet.emulator;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque {@code nextToken}s: a list's scope and the position of the last item returned, encoded so clients cannot
 * read or forge them usefully. A token used with another list, or tampered with, is a ValidationException.
 */
final class PageTokens {
  private PageTokens() {
  }

  /** The token that continues the list {@code scope} after the item with sequence number {@code lastSequence}. */
  static String encode(String scope, long lastSequence) {
    String plain = "v1|" + Integer.toHexString(scope.hashCode()) + "|" + lastSequence;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /** The sequence number a token continues after; {@code null} token means the first page. */
  static Long decode(String scope, String token) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    try {
      String plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String[] parts = plain.split("\\|");
      if (parts.length == 3 && parts[0].equals("v1") && parts[1].equals(Integer.toHexString(scope.hashCode()))) {
        return Long.parseLong(parts[2]);
      }
    } catch (IllegalArgumentException e) {
      // falls through to the error below: a malformed token is the client's mistake
    }
    throw IvsError.validation("The pagination token is invalid or does not belong to this request: '" + token + "'");
  }
}
