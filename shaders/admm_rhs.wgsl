// admm_rhs.wgsl — right-hand side of the u-system (spec §4.2):
//   B = b1/ρ + V − Λ + GtS − GtNu        (ReLU; GtS = Gᵀs, GtNu = Gᵀν from the previous step)
//   B = b1/ρ + V − Λ                     (gated: has_cone = 0, GtS/GtNu ignored)
//   minus_w = 1: B −= W as well, the warm-start residual r = b − A·u₀ in the same pass (W = A·u₀,
//   computed before this kernel), which saves PCG's separate axpby dispatch.
//   no_b1 = 1 (with minus_w): W = A·u₀ − Fᵀy/ρ already holds the b1 term (combine.wgsl mode 3), so
//   it is left out here; at ρ ≪ 1 adding b1/ρ and subtracting FᵀFu₀/ρ separately would round
//   the residual at float32 precision of 1/ρ-sized vectors, which stalled ADMM on the GPU.
// Shapes: every buffer is d×K f32 (count = d·K elements); b1 = Fᵀy (unscaled, set up once).
// Bindings: 0 params (uniform), 1 b1, 2 V, 3 Lam, 4 GtS, 5 GtNu, 6 B (out), 7 admm (uniform: ρ…),
//           8 W (read; a placeholder unless minus_w = 1).
// Workgroup: 256 threads, 1 element each; grid folded into 2-D (x·y workgroups).
struct Params { count: u32, has_cone: u32, minus_w: u32, no_b1: u32 }
@bindings(prm: uniform Params, b1: read, V: read, Lam: read, GtS: read, GtNu: read, B: rw, admm: uniform Admm, W: read)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  if (e >= prm.count) { return; }
  var b = V[e] - Lam[e];
  if (prm.no_b1 == 0u) { b = b + b1[e] / admm.rho; }
  if (prm.has_cone == 1u) { b = b + GtS[e] - GtNu[e]; }
  if (prm.minus_w == 1u) { b = b - W[e]; }
  B[e] = b;
}
