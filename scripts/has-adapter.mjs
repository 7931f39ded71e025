// Exit 0 when dawn.node (with CRONOS_DAWN_FLAGS) offers a WebGPU adapter at any feature level.
import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
const flags = (process.env.CRONOS_DAWN_FLAGS ?? '').split(',').filter(Boolean);
const gpu = create(flags);
const adapter = (await gpu.requestAdapter()) ?? (await gpu.requestAdapter({ featureLevel: 'compatibility' }));
process.exit(adapter ? 0 : 1);
