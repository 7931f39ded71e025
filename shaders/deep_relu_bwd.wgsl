// deep_relu_bwd.wgsl — dx = dy · 1[y > 0] element-wise (y the relu's output, so relu'(0) = 0,
// the subgradient jax.nn.relu uses).
// Shapes: y, dy, dx: `count` f32. Bindings: 0 params (uniform), 1 y (read), 2 dy (read),
// 3 dx (read_write). Workgroup: 256 threads, 1 element each; grid folded into 2-D.
struct Params { count: u32, _a: u32, _b: u32, _c: u32 }
@bindings(prm: uniform Params, y: read, dy: read, dx: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  if (e >= prm.count) { return; }
  dx[e] = select(0.0, dy[e], y[e] > 0.0);
}
