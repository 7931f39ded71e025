// pcg_gate.wgsl — skips the work of PCG iterations once every class has converged: writes the
// indirect dispatch arguments of the next iteration's dispatches, either their real grids
// (from `grids`) or (0, 0, 0). So a fixed number of iterations can be encoded per ADMM
// step without a read-back, and converged solves cost only empty dispatches.
// Bindings: 0 params (uniform: C classes, count dispatches), 1 pcg state (read; active flag
// at pcg[8c + 5]), 2 grids (read, 3·count u32), 3 args (read_write, 3·count u32, INDIRECT).
// Workgroup: 64 threads, one dispatch's arguments each; grid ⌈count/64⌉.
struct Params { C: u32, count: u32, _p0: u32, _p1: u32 }
@bindings(prm: uniform Params, pcg: read, grids: read u32, args: rw u32)

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let q = gid.x;
  if (q >= prm.count) { return; }
  var anyActive = false;
  for (var c = 0u; c < prm.C; c++) {
    if (pcg[8u * c + 5u] > 0.5) { anyActive = true; }
  }
  for (var a = 0u; a < 3u; a++) {
    args[3u * q + a] = select(0u, grids[3u * q + a], anyActive);
  }
}
