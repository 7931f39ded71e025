// nys_project.wgsl — first half of the Nyström preconditioner apply (spec §5.2):
//   t[j·C + c] = Σ_flat Unys[flat, j] · x_c[flat]      (t = Uᵀ x, one r-vector per class)
// x is d×K in the batched layout; the class-c vector in the spec's flat order is
// flat = s·dP + k·P + i ↔ x[k, (c·S+s)·P + i]. Unys is N×r row-major (N = S·d·P).
// Bindings: 0 params (uniform), 1 Unys (read), 2 x (read), 3 t (read_write, r×C).
// Workgroup: 256 threads, tree reduction over N (prelude tree_sum1); grid (r, C).
struct Params { d: u32, P: u32, S: u32, C: u32, r: u32, _p0: u32, _p1: u32, _p2: u32 }
@bindings(prm: uniform Params, Unys: read, x: read, t: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let j = wg.x;
  let c = wg.y;
  let dP = prm.d * prm.P;
  let N = prm.S * dP;
  let K = prm.C * prm.S * prm.P;
  var acc = 0.0;
  for (var flat = li; flat < N; flat += WG_1D) {
    let sgn = flat / dP;
    let rem = flat % dP;
    let k = rem / prm.P;
    let i = rem % prm.P;
    acc += Unys[flat * prm.r + j] * x[k * K + (c * prm.S + sgn) * prm.P + i];
  }
  let tot = tree_sum1(li, acc);
  if (li == 0u) { t[j * prm.C + c] = tot; }
}
