/**
 * A trace file's bytes as text: gzip-compressed files (`--trace t.json.gz`,
 * recognised by their magic bytes, whatever their name) are unpacked first.
 * Node only (the CLI's `view` and the extension's Open Trace).
 */
import { gunzipSync } from 'node:zlib';

export function traceFileText(bytes: Uint8Array): string {
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return new TextDecoder().decode(gzipped ? gunzipSync(bytes) : bytes);
}
