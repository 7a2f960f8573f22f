import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** In CI (VIGIL_REQUIRE_SERVICES=1) a missing service is a failure, not a skip. */
export const servicesRequired = process.env.VIGIL_REQUIRE_SERVICES === '1';

export function which(binary: string, extraDirs: string[] = []): string | undefined {
  if (binary.includes('/')) return isExecutable(binary) ? binary : undefined;
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extraDirs]) {
    const full = join(dir, binary);
    if (isExecutable(full)) return full;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns false when the binary is there, or a skip reason for node:test (`{ skip: reason }`).
 * Throws instead when services are required, so CI cannot pass by skipping.
 */
export function skipUnless(binary: string, installHint: string, extraDirs: string[] = []): false | string {
  if (which(binary, extraDirs)) return false;
  const reason = `${binary} is not installed (${installHint}); skipping. Set VIGIL_REQUIRE_SERVICES=1 to make this a failure.`;
  if (servicesRequired) throw new Error(`VIGIL_REQUIRE_SERVICES=1 but ${binary} is missing: ${installHint}`);
  return reason;
}
