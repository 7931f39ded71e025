// slack_dual.wgsl — slack and cone-dual updates of spec §4.2 (ReLU only) with over-relaxation (§4.5), fused:
//   hs = αGu + (1 − α)s_old;  s = max(hs + ν, 0);  ν ← ν + hs − s   (so ν ≤ 0 and s∘ν = 0 by construction)
// Shapes: GU, S, Nu n×K. Bindings: 0 params (uniform), 1 GU (read), 2 S, 3 Nu (read_write),
// 4 admm (uniform: alpha).
// Workgroup: 256 threads, one element each; grid folded into 2-D.
struct Params { count: u32, _p0: u32, _p1: u32, _p2: u32 }
@bindings(prm: uniform Params, GU: read, S: rw, Nu: rw, admm: uniform Admm)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  if (e >= prm.count) { return; }
  var hs = GU[e];
  if (admm.alpha != 1.0) { hs = admm.alpha * hs + (1.0 - admm.alpha) * S[e]; }
  let s = max(hs + Nu[e], 0.0);
  S[e] = s;
  Nu[e] = Nu[e] + hs - s;
}
