#!/usr/bin/env node
// The `vigil` command. Sources are TypeScript run through tsx, so `npx vigil` works right after
// `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/src/main.ts');
