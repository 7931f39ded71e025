// pcg_update.wgsl — fused PCG vector updates with per-class step sizes from the GPU state:
//   mode 0: x += α_c p;  r −= α_c w           (after the matvec w = A p)
//   mode 1: p = z + β_c p  (active classes only)
//   mode 2: p = z                              (initial direction)
// Shapes: x, r, p, w, z are d×K (count = d·K), column col belongs to class c = col / (S·P).
// Bindings: 0 params (uniform), 1 pcg state (read; 8 f32 per class, see pcg_scalars.wgsl),
//           2 x, 3 r, 4 p, 5 w (read), 6 z (read).
// Workgroup: 256 threads, one element each; grid folded into 2-D.
struct Params { count: u32, K: u32, SP: u32, mode: u32 }
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> pcg: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> r: array<f32>;
@group(0) @binding(4) var<storage, read_write> p: array<f32>;
@group(0) @binding(5) var<storage, read> w: array<f32>;
@group(0) @binding(6) var<storage, read> z: array<f32>;

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  if (e >= prm.count) { return; }
  let c = (e % prm.K) / prm.SP;
  if (prm.mode == 0u) {
    let a = pcg[8u * c + 3u];
    x[e] = x[e] + a * p[e];
    r[e] = r[e] - a * w[e];
  } else if (prm.mode == 1u) {
    if (pcg[8u * c + 5u] > 0.5) { p[e] = z[e] + pcg[8u * c + 4u] * p[e]; }
  } else {
    p[e] = z[e];
  }
}
