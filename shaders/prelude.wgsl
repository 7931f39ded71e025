// prelude.wgsl — declarations shared by every solver shader, prepended to each shader's source by
// the one place that creates shader modules (solver/gpu/kernel.ts, `Kernel`), in the browser and in
// Node alike. WGSL has no includes; module-scope declarations are order-independent, so a shader
// may use anything below. Unused declarations cost nothing (they are not part of the pipeline).
// Compiler messages count lines from the top of the prelude: subtract its line count.
//
// Contents:
//   Admm          the solver's ADMM uniform (solver/gpu/admm.ts writeAdmmUniform): ρ, β/ρ, PCG tolerance
//   WG_1D         threads per workgroup of the element-wise and reduction kernels (256)
//   flat_index    element index of a thread in a 1-D grid folded into 2-D (x·y workgroups)
//   tree_sum /    workgroup tree reductions of one vec4 per thread (up to four quantities at once),
//   tree_max      in a fixed order, so results are deterministic. They use the workgroup array
//                 `tree` and must be called in uniform control flow by all WG_1D threads.

struct Admm { rho: f32, prox_t: f32, pcg_tol: f32, _p: f32 }

const WG_1D: u32 = 256u;

// Workgroup (wg.x, wg.y) of a grid with nwg.x columns, thread li: element (wg.y·nwg.x + wg.x)·WG_1D + li.
fn flat_index(wg: vec3u, nwg: vec3u, li: u32) -> u32 {
  return (wg.y * nwg.x + wg.x) * WG_1D + li;
}

var<workgroup> tree: array<vec4<f32>, WG_1D>;

// Σ over the workgroup's threads of v, component-wise (pairwise tree: stride 128, 64, …, 1).
// Every thread gets the total; the final barrier lets the caller reduce again right away.
fn tree_sum(li: u32, v: vec4<f32>) -> vec4<f32> {
  tree[li] = v;
  workgroupBarrier();
  for (var w = WG_1D / 2u; w > 0u; w >>= 1u) {
    if (li < w) { tree[li] += tree[li + w]; }
    workgroupBarrier();
  }
  let total = tree[0];
  workgroupBarrier();
  return total;
}

// max over the workgroup's threads of v, component-wise (same tree and contract as tree_sum).
fn tree_max(li: u32, v: vec4<f32>) -> vec4<f32> {
  tree[li] = v;
  workgroupBarrier();
  for (var w = WG_1D / 2u; w > 0u; w >>= 1u) {
    if (li < w) { tree[li] = max(tree[li], tree[li + w]); }
    workgroupBarrier();
  }
  let total = tree[0];
  workgroupBarrier();
  return total;
}
