// Words for the SDK's stage errors and leave reasons. Pure: the SDK's numeric codes are part of its declared API
// (StageErrorCode), so they are matched by value here and the module needs no SDK at run time.

/** StageErrorCode values for which a fresh token is the remedy. */
const TOKEN_CODES = new Set([1, 2, 8]);

/** @type {Record<number, string>} */
const WORDS = {
  1: 'The stage token is malformed.',
  2: 'The stage token has expired.',
  3: 'Connecting to the stage timed out.',
  4: 'The connection to the stage failed.',
  5: 'The stage operation was cancelled.',
  6: 'The stage is at capacity.',
  7: 'The stage and this browser share no video codec.',
  8: 'The stage token does not allow this.',
  9: 'The stage has been deleted.',
  10: 'The stage disconnected this participant.',
  11: 'The token exchange was refused.',
  12: 'The token exchange failed.',
};

/**
 * The `code` of a StageError, or null for anything else (the SDK does not export the error class, so errors are
 * recognised by shape, not instanceof).
 * @param {unknown} error
 * @returns {number | null}
 */
export function stageErrorCode(error) {
  if (error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'number') {
    return error.code;
  }
  return null;
}

/**
 * True when the error means the token itself was refused (expired, malformed, not allowed): fetch a fresh one.
 * @param {unknown} error
 */
export function isTokenRejection(error) {
  const code = stageErrorCode(error);
  return code !== null && TOKEN_CODES.has(code);
}

/**
 * Words for a stage error.
 * @param {unknown} error
 */
export function describeStageError(error) {
  const code = stageErrorCode(error);
  if (code !== null && WORDS[code]) return WORDS[code];
  if (error instanceof Error && error.message) return error.message;
  if (error !== null && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  return 'The stage connection failed.';
}

/** @type {Record<string, string>} */
const LEFT_WORDS = {
  'token-reused': 'The stage token was used by another connection.',
  'participant-disconnected': 'The stage disconnected this participant.',
  'stage-deleted': 'The stage has been deleted.',
  'failed-exchange': 'The token exchange failed.',
  'real-time-connection-forced-leave': 'The shared connection left the stage.',
  'real-time-connection-token-revocation': 'The shared connection token was revoked.',
};

/**
 * Words for why the SDK left a stage (StageLeftReason).
 * @param {string} reason
 */
export function describeLeftReason(reason) {
  return LEFT_WORDS[reason] ?? 'The stage connection was lost.';
}
