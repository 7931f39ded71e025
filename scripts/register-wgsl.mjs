// `node --import ./scripts/register-wgsl.mjs`: registers the `.wgsl?raw` loader (see wgsl-hooks.mjs).
import { register } from 'node:module';
register('./wgsl-hooks.mjs', import.meta.url);
