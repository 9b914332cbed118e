/**
 * A prefix given to deletePrefix: safe path segments, no `.`/`..`, no leading or trailing slash.
 * It names a folder of keys, so `avatars/avt_abc` never matches `avatars/avt_abcd/...`.
 */
export const BLOB_PREFIX_PATTERN = /^(?:[A-Za-z0-9_-]+\/)*[A-Za-z0-9_-]+$/;
