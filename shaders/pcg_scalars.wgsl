// pcg_scalars.wgsl — the scalar steps of C independent PCG solves (one per class block), kept
// on the GPU so the PCG loop never reads back (spec §4.3, webgpu-notes §3).
// State per class c (8 f32 at pcg[8c…]): rz, pAp, rr, alpha, beta, active, iters, res.
// `dots` holds the reduced dot products of this step: dots[q·C + c] for pair q.
//   mode 0 (init):  rz = r·z, rr = r·r, res = √rr, active = res > tol, iters = 0
//   mode 1 (alpha): pAp = p·w; alpha = active ? rz/pAp : 0; iters += active
//   mode 2 (beta):  rz' = r·z, rr = r·r; beta = rz'/rz; rz = rz'; res = √rr; active &= res > tol
// A frozen class (active = 0) gets alpha = 0, so its iterate stops moving.
// Bindings: 0 params (uniform), 1 dots (read), 2 pcg (read_write), 3 admm (uniform: pcg_tol).
// Workgroup: 64 threads, one class each; grid ⌈C/64⌉.
struct Params { C: u32, mode: u32, _p0: u32, _p1: u32 }
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> dots: array<f32>;
@group(0) @binding(2) var<storage, read_write> pcg: array<f32>;
@group(0) @binding(3) var<uniform> admm: Admm;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= prm.C) { return; }
  let b = 8u * c;
  if (prm.mode == 0u) {
    let rr = max(dots[prm.C + c], 0.0);
    let res = sqrt(rr);
    pcg[b + 0u] = dots[c];
    pcg[b + 2u] = rr;
    pcg[b + 3u] = 0.0;
    pcg[b + 4u] = 0.0;
    pcg[b + 5u] = select(0.0, 1.0, res > admm.pcg_tol);
    pcg[b + 6u] = 0.0;
    pcg[b + 7u] = res;
  } else if (prm.mode == 1u) {
    let pAp = dots[c];
    let isActive = pcg[b + 5u] > 0.5;
    pcg[b + 1u] = pAp;
    // pAp ≤ 0 only happens through float32 breakdown; freezing is safer than dividing.
    let ok = isActive && pAp > 0.0;
    pcg[b + 3u] = select(0.0, pcg[b] / pAp, ok);
    if (!ok) { pcg[b + 5u] = 0.0; }
    pcg[b + 6u] = pcg[b + 6u] + select(0.0, 1.0, ok);
  } else {
    if (pcg[b + 5u] < 0.5) { pcg[b + 4u] = 0.0; return; }
    let rzNew = dots[c];
    let rr = max(dots[prm.C + c], 0.0);
    let rz = pcg[b];
    pcg[b + 4u] = select(0.0, rzNew / rz, rz != 0.0);
    pcg[b + 0u] = rzNew;
    pcg[b + 2u] = rr;
    let res = sqrt(rr);
    pcg[b + 7u] = res;
    pcg[b + 5u] = select(0.0, 1.0, res > admm.pcg_tol);
  }
}
