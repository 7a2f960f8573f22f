import { Type } from '@sinclair/typebox';

/** Crockford base32, 26 chars: sortable by creation time, so ingest can order and de-duplicate. */
export const ULID_PATTERN = '^[0-7][0-9A-HJKMNP-TV-Z]{25}$';

/**
 * Site, gateway, camera, zone and line ids become MQTT topic levels and file names, so they must not
 * contain '/', '+', '#' or spaces.
 */
export const SLUG_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';

export const Ulid = (description: string) => Type.String({ pattern: ULID_PATTERN, description });
export const Slug = (description: string) => Type.String({ pattern: SLUG_PATTERN, description });
export const Timestamp = (description: string) => Type.String({ format: 'date-time', description });
