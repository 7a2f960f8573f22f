// `npm run build:web -w alerts-api`: builds the dashboard alone (vigil api builds it at start too).
import { buildDashboard } from './web.js';

console.log(`dashboard built into ${await buildDashboard()}`);
