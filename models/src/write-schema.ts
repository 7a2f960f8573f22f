import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelManifest } from './manifest.js';
import { MODELS_DIR } from './registry.js';

/** Writes models/model.schema.json, the JSON Schema of model.json for editors (`"$schema": "../model.schema.json"`). */
writeFileSync(join(MODELS_DIR, 'model.schema.json'), `${JSON.stringify(ModelManifest, null, 2)}\n`);
