// prelude.wgsl — declarations shared by every solver shader, prepended to each shader's source by
// the one place that creates shader modules (solver/gpu/kernel.ts, `Kernel`), in the browser and in
// Node alike. WGSL has no includes; module-scope declarations are order-independent, so a shader
// may use anything below. Unused declarations cost nothing (they are not part of the pipeline).
// Compiler messages count lines from the top of the prelude: subtract its line count.
//
// Contents:
//   Admm          the solver's ADMM uniform (solver/gpu/backend.ts writeAdmmUniform): ρ, β/ρ, PCG tolerance,
//                 over-relaxation α (spec §4.5; 1 = plain ADMM)
//   WG_1D         threads per workgroup of the element-wise and reduction kernels (256)
//   flat_index    element index of a thread in a 1-D grid folded into 2-D (x·y workgroups)
//   tree_sumN /   workgroup tree reductions of one f32 (N = 1), vec2 (2) or vec4 (4) per thread, in a
//   tree_maxN     fixed order, so results are deterministic. Each must be called in uniform control
//                 flow by all WG_1D threads, at most once per invocation (it owns its array tree_sN / tree_mN).
//   pixel_of /    NHWC image indexing of the conv and pool kernels (B×H×W×C, C fastest): a flat pixel
//   shifted_pixel index as (b, y, x), and the flat index of its neighbour at (y + dy, x + dx) or −1 in
//                 the zero padding of a 'same' convolution
//   lanes4        four consecutive channels of a vec4 group, clamped to the last valid one
//   AA_*          the layout of the Anderson state buffer (solver/gpu/anderson.ts AA mirrors it)

struct Admm { rho: f32, prox_t: f32, pcg_tol: f32, alpha: f32 }

const WG_1D: u32 = 256u;

// Anderson state (f32 storage, solver/gpu/anderson.ts AA): scalars, then γ, ΔGᵀg, the m×m Gram ΔGᵀΔG
// and its Cholesky factor. Flags and counts are small integers stored exactly as f32.
const AA_GNORM2: u32 = 0u;        // ‖g‖² of the step just done (reduce_finalize writes it)
const AA_COUNT: u32 = 1u;         // differences in memory (≤ m)
const AA_HEAD: u32 = 2u;          // ring slot the next difference goes to
const AA_HAS_PREV: u32 = 3u;      // 1 when f and g of an earlier step are kept
const AA_EXTRAPOLATED: u32 = 4u;  // 1 when the step just done started from an extrapolated point
const AA_SAFE_NORM: u32 = 5u;     // ‖g‖ of the last plain step (safeguard)
const AA_REJECT: u32 = 6u;        // 1 when this update rejects the extrapolation
const AA_PUSHED: u32 = 7u;        // 1 when this update adds a difference (at AA_SLOT)
const AA_SLOT: u32 = 8u;
const AA_WRITE: u32 = 9u;         // 1 when the state is rewritten from the new input
const AA_USED: u32 = 10u;         // columns the extrapolation combines (0: none)
const AA_ACCEPTED: u32 = 11u;     // extrapolations taken (for tests and reports)
const AA_REJECTED: u32 = 12u;     // extrapolations rejected by the safeguard
const AA_GAMMA: u32 = 16u;        // γ (m), then ΔGᵀg (m), Gram (m×m), factor (m×m)

// Workgroup (wg.x, wg.y) of a grid with nwg.x columns, thread li: element (wg.y·nwg.x + wg.x)·WG_1D + li.
fn flat_index(wg: vec3u, nwg: vec3u, li: u32) -> u32 {
  return (wg.y * nwg.x + wg.x) * WG_1D + li;
}

// Tree reductions, one per width and operation, each with its own workgroup array (so a shader may
// call several of them, each once per invocation, without extra barriers). Pairwise order: stride
// 128, 64, …, 1, component-wise. Every thread gets the result. Scalar and vec2 variants exist
// because a vec4 tree costs four times the work of a scalar one on SIMD-emulating adapters.
var<workgroup> tree_s1: array<f32, WG_1D>;
fn tree_sum1(li: u32, v: f32) -> f32 {
  tree_s1[li] = v;
  workgroupBarrier();
  for (var w = WG_1D / 2u; w > 0u; w >>= 1u) {
    if (li < w) { tree_s1[li] += tree_s1[li + w]; }
    workgroupBarrier();
  }
  return tree_s1[0];
}

var<workgroup> tree_s2: array<vec2<f32>, WG_1D>;
fn tree_sum2(li: u32, v: vec2<f32>) -> vec2<f32> {
  tree_s2[li] = v;
  workgroupBarrier();
  for (var w = WG_1D / 2u; w > 0u; w >>= 1u) {
    if (li < w) { tree_s2[li] += tree_s2[li + w]; }
    workgroupBarrier();
  }
  return tree_s2[0];
}

var<workgroup> tree_s4: array<vec4<f32>, WG_1D>;
fn tree_sum4(li: u32, v: vec4<f32>) -> vec4<f32> {
  tree_s4[li] = v;
  workgroupBarrier();
  for (var w = WG_1D / 2u; w > 0u; w >>= 1u) {
    if (li < w) { tree_s4[li] += tree_s4[li + w]; }
    workgroupBarrier();
  }
  return tree_s4[0];
}

var<workgroup> tree_m1: array<f32, WG_1D>;
fn tree_max1(li: u32, v: f32) -> f32 {
  tree_m1[li] = v;
  workgroupBarrier();
  for (var w = WG_1D / 2u; w > 0u; w >>= 1u) {
    if (li < w) { tree_m1[li] = max(tree_m1[li], tree_m1[li + w]); }
    workgroupBarrier();
  }
  return tree_m1[0];
}

var<workgroup> tree_m2: array<vec2<f32>, WG_1D>;
fn tree_max2(li: u32, v: vec2<f32>) -> vec2<f32> {
  tree_m2[li] = v;
  workgroupBarrier();
  for (var w = WG_1D / 2u; w > 0u; w >>= 1u) {
    if (li < w) { tree_m2[li] = max(tree_m2[li], tree_m2[li + w]); }
    workgroupBarrier();
  }
  return tree_m2[0];
}

// (b, y, x) of flat pixel index pix = (b·H + y)·W + x.
fn pixel_of(pix: u32, H: u32, W: u32) -> vec3u {
  return vec3u(pix / (W * H), (pix / W) % H, pix % W);
}

// Flat pixel index of (b, y + dy, x + dx), or −1 when that lies outside the H×W image (the zero
// padding of a 'same' convolution).
fn shifted_pixel(p: vec3u, dy: i32, dx: i32, H: u32, W: u32) -> i32 {
  let y = i32(p.y) + dy;
  let x = i32(p.z) + dx;
  if (y < 0 || y >= i32(H) || x < 0 || x >= i32(W)) { return -1; }
  return (i32(p.x * H) + y) * i32(W) + x;
}

// Channels c, c+1, c+2, c+3 clamped to n − 1: the lanes of a vec4 channel group past n read a
// valid index, and the kernel never stores them.
fn lanes4(c: u32, n: u32) -> vec4u {
  return min(vec4u(c, c + 1u, c + 2u, c + 3u), vec4u(n - 1u));
}
