/** Every failure the element reports carries one of these codes (also `error` event `detail.code`). */
export const SAM2_ERROR_CODES = [
  'image-load-failed',
  'image-too-large',
  'model-fetch-failed',
  'model-integrity',
  'model-contract',
  'model-unknown',
  'storage-quota',
  'storage-unavailable',
  'backend-unavailable',
  'backend-lost',
  'worker-crashed',
  'encode-failed',
  'decode-failed',
  'export-failed',
  'not-ready',
  'invalid-argument',
  'aborted',
] as const;
export type Sam2ErrorCode = (typeof SAM2_ERROR_CODES)[number];

/** Codes that mean "try again / fix the input": the element stays usable afterwards. */
const UNRECOVERABLE: ReadonlySet<Sam2ErrorCode> = new Set(['backend-unavailable']);

/**
 * The one error type of the package. It survives the worker boundary as a plain object
 * ({@link Sam2Error.toJSON}) and is rebuilt on the main thread with {@link Sam2Error.from}.
 */
export class Sam2Error extends Error {
  override readonly name = 'Sam2Error';
  readonly code: Sam2ErrorCode;
  readonly recoverable: boolean;

  constructor(code: Sam2ErrorCode, message: string, options: { cause?: unknown; recoverable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.recoverable = options.recoverable ?? !UNRECOVERABLE.has(code);
  }

  toJSON(): SerializedSam2Error {
    const cause = this.cause instanceof Error ? `${this.cause.name}: ${this.cause.message}` : undefined;
    return { code: this.code, message: this.message, recoverable: this.recoverable, cause };
  }

  /** Rebuilds an error sent across postMessage, or wraps anything thrown with a fallback code. */
  static from(value: unknown, fallback: Sam2ErrorCode = 'decode-failed'): Sam2Error {
    if (value instanceof Sam2Error) return value;
    if (isSerialized(value)) {
      return new Sam2Error(value.code, value.message, { recoverable: value.recoverable, cause: value.cause });
    }
    if (value instanceof DOMException && value.name === 'AbortError') {
      return new Sam2Error('aborted', 'The operation was superseded by a newer one', { cause: value });
    }
    const message = value instanceof Error ? value.message : String(value);
    return new Sam2Error(fallback, message, { cause: value });
  }
}

export interface SerializedSam2Error {
  code: Sam2ErrorCode;
  message: string;
  recoverable: boolean;
  cause?: string;
}

function isSerialized(value: unknown): value is SerializedSam2Error {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SerializedSam2Error).code === 'string' &&
    (SAM2_ERROR_CODES as readonly string[]).includes((value as SerializedSam2Error).code) &&
    typeof (value as SerializedSam2Error).message === 'string'
  );
}

export const isAbort = (error: unknown): boolean =>
  (error instanceof Sam2Error && error.code === 'aborted') ||
  (error instanceof DOMException && error.name === 'AbortError');
