// pcg_scalars.wgsl — the initial scalars of C independent PCG solves (one per class block), kept
// on the GPU so the PCG loop never reads back (spec §4.3, webgpu-notes §3). The per-iteration
// scalar steps are fused with their vector updates in pcg_step.wgsl.
// State per class c (8 f32 at pcg[8c…]): rz, rzPrev, rr, alpha, beta, active, iters, res.
// `dots` holds the reduced dot products r·z then r·r: dots[q·C + c] for pair q.
//   rz = r·z, rzPrev = 0, rr = r·r, res = √rr, alpha = beta = 0, active = res > tol, iters = 0
// Bindings: 0 params (uniform), 1 dots (read), 2 pcg (read_write), 3 admm (uniform: pcg_tol).
// Workgroup: 64 threads, one class each; grid ⌈C/64⌉.
struct Params { C: u32, _p0: u32, _p1: u32, _p2: u32 }
@bindings(prm: uniform Params, dots: read, pcg: rw, admm: uniform Admm)

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= prm.C) { return; }
  let b = 8u * c;
  let rr = max(dots[prm.C + c], 0.0);
  let res = sqrt(rr);
  pcg[b + 0u] = dots[c];
  pcg[b + 1u] = 0.0;
  pcg[b + 2u] = rr;
  pcg[b + 3u] = 0.0;
  pcg[b + 4u] = 0.0;
  pcg[b + 5u] = select(0.0, 1.0, res > admm.pcg_tol);
  pcg[b + 6u] = 0.0;
  pcg[b + 7u] = res;
}
