import type { EventOf } from '@vigil/contracts';

/** Why a camera is offline: the contract's camera_offline reasons. */
export type OfflineReason = EventOf<'camera_offline'>['attributes']['reason'];

export interface ReasonFinding {
  reason: OfflineReason;
  /** The ffmpeg line that gave the reason, credentials removed. */
  detail: string;
}

/**
 * Patterns over ffmpeg's own messages (collected from ffmpeg 5.1 and the 2018 npm build against
 * GStreamer's RTSP server, HTTP servers and broken files; see test/stderr-reasons.test.ts). The first
 * match in this order wins, so a specific line ("401 Unauthorized") beats the generic one that
 * ffmpeg prints after it ("Invalid data found").
 */
const PATTERNS: { reason: OfflineReason; re: RegExp }[] = [
  { reason: 'auth_failed', re: /\b401 Unauthorized\b|authorization failed|\b403 Forbidden\b/i },
  { reason: 'not_found', re: /\b404 Not Found\b|No such file or directory|\b454 Session Not Found\b/i },
  { reason: 'connection_refused', re: /Connection refused/i },
  { reason: 'timeout', re: /timed out|Connection timed out|Operation timed out|\b408 Request Timeout\b/i },
  {
    reason: 'unsupported_codec',
    re: /Decoder \(codec [^)]*\) not found|no decoder found|Unsupported codec|codec not currently supported|Could not find codec parameters/i,
  },
];

/** Lines that mean a frame was damaged but the stream goes on: counted as decode errors. */
const DECODE_ERROR = /error while decoding|concealing \d+ DC|Invalid NAL unit size|Error splitting the input into NAL units|corrupt(?:ed)? (?:input|frame|packet|macroblock)|missing picture in access unit|partial file/i;

/** Lines worth showing when nothing more specific was found (a truncated or foreign file). */
const GENERIC_FAILURE = /moov atom not found|Invalid data found when processing input|End of file|Error opening input|Immediate exit requested/i;

export function isDecodeErrorLine(line: string): boolean {
  return DECODE_ERROR.test(line);
}

/** Strips user:password@ from URLs so a reason never leaks a camera's credentials into events or logs. */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');
}

/**
 * Reads an ffmpeg run's stderr lines and says why it failed. `undefined` when the lines say nothing
 * (ffmpeg was killed, or exited cleanly); callers then use 'stalled' or 'exited' from what they saw.
 */
export function classifyFfmpegStderr(lines: readonly string[]): ReasonFinding | undefined {
  for (const { reason, re } of PATTERNS) {
    const line = lines.find((l) => re.test(l));
    if (line) return { reason, detail: clean(line) };
  }
  const generic = lines.find((l) => GENERIC_FAILURE.test(l)) ?? lines.find((l) => !isDecodeErrorLine(l) && l.trim() !== '');
  return generic ? { reason: 'unknown', detail: clean(generic) } : undefined;
}

function clean(line: string): string {
  // "[rtsp @ 0x55b2170cf940] " carries a pointer that differs per run: drop it so details compare.
  return redactCredentials(line.replace(/\[([a-z0-9_,]+) @ 0x[0-9a-f]+\]\s*/gi, '[$1] ').trim()).slice(0, 500);
}
