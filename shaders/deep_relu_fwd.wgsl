// deep_relu_fwd.wgsl — y = max(x, 0) element-wise over a Bmax×width activation.
// Shapes: x, y: `count` f32. Bindings: 0 params (uniform), 1 x (read), 2 y (read_write).
// Workgroup: 256 threads, 1 element each; grid folded into 2-D.
struct Params { count: u32, _a: u32, _b: u32, _c: u32 }
@bindings(prm: uniform Params, x: read, y: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  if (e >= prm.count) { return; }
  y[e] = max(x[e], 0.0);
}
