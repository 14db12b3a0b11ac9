/** Error classes shared by every part: each carries a message a user can act on. */

/** Wrong use of the command line or of an API: exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Why a stats read failed, for retry policy and for the one-line message. */
export type StatsErrorCode =
  | 'refused'
  | 'not-found'
  | 'permission'
  | 'timeout'
  | 'empty'
  | 'too-large'
  | 'reset'
  | 'http-on-plain'
  | 'plain-on-http'
  | 'http-status'
  | 'http-application'
  | 'certificate'
  | 'unreachable'
  | 'unsupported'
  | 'io';

/** A stats target could not be read. `transient` says whether trying again later may succeed. */
export class StatsReadError extends Error {
  override name = 'StatsReadError';
  constructor(
    message: string,
    readonly code: StatsErrorCode,
    readonly transient: boolean = true,
  ) {
    super(message);
  }
}

/** The bytes read are not a stats document uWSGI could have sent (even after the known repairs). */
export class DecodeError extends Error {
  override name = 'DecodeError';
  constructor(
    message: string,
    /** Byte offset of the problem in the reply, when known. */
    readonly offset: number | null = null,
  ) {
    super(message);
  }
}

/** Writing to a master FIFO failed, or its effect could not be verified. */
export class FifoError extends Error {
  override name = 'FifoError';
  constructor(
    message: string,
    readonly code: string = 'fifo',
  ) {
    super(message);
  }
}

/** A recording could not be written or read (a damaged file, a full disk, a missing segment). */
export class RecordingError extends Error {
  override name = 'RecordingError';
}

/** An input file is not the kind of file it must be (a FIFO, a device, a directory), too large, or unreadable. */
export class FileInputError extends Error {
  override name = 'FileInputError';
  constructor(
    message: string,
    /** The errno code when the system refused (ENOENT, EACCES, EIO...), else the kind of refusal. */
    readonly code: string,
  ) {
    super(message);
  }
}

/** A worker's Python stack could not be read from uWSGI's --py-tracebacker socket. */
export class TracebackError extends Error {
  override name = 'TracebackError';
}

/** The abstract-socket broker's output is not a well-formed frame stream. */
export class FrameError extends Error {
  override name = 'FrameError';
}

/** Why a web probe is refused: the HTTP status and a one-line reason. */
export class ProbeRefusal extends Error {
  override name = 'ProbeRefusal';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Delta operations do not fit the value they are applied to (the client then asks for the whole state). */
export class DeltaMismatchError extends Error {
  override name = 'DeltaMismatchError';
}
