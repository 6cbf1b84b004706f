// Reading (never checking) an IVS participant token's claims, to know its stage and expiry. Pure.

/**
 * The claims of a JWT, or null when the token is not a readable JWT. The signature is not checked: IVS does.
 * @param {string} token
 * @returns {Record<string, unknown> | null}
 */
export function tokenClaims(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims) ? claims : null;
  } catch {
    return null;
  }
}

/**
 * When the token expires (ms since the epoch), from its `exp` claim, else from the gateway's `expiresAt`;
 * null when neither is known.
 * @param {string} token
 * @param {string | null} [expiresAt]
 */
export function tokenExpiry(token, expiresAt) {
  const claims = tokenClaims(token);
  if (claims && typeof claims.exp === 'number') return claims.exp * 1000;
  if (expiresAt) {
    const parsed = Date.parse(expiresAt);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return null;
}

/**
 * True when the token is expired or expires within `marginMs`, so a fresh one should be fetched before joining.
 * @param {string} token
 * @param {string | null} expiresAt
 * @param {number} nowMs
 * @param {number} [marginMs]
 */
export function tokenIsStale(token, expiresAt, nowMs, marginMs = 5_000) {
  const expiry = tokenExpiry(token, expiresAt);
  return expiry !== null && expiry - marginMs <= nowMs;
}
