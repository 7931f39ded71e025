// axpby.wgsl — y = a·x + b·y element-wise (a, b scalars in the params). Used for the PCG
// residual r = B − A·x₀, for zeroing (a = b = 0), copies (a = 1, b = 0) and the dual rescaling
// when residual balancing changes ρ.
// Shapes: x, y: `count` f32. Bindings: 0 params (uniform), 1 x (read), 2 y (read_write).
// Workgroup: 256 threads, 1 element each; grid folded into 2-D.
struct Params { count: u32, a: f32, b: f32, _p: u32 }
@bindings(prm: uniform Params, x: read, y: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  if (e >= prm.count) { return; }
  // A zero coefficient skips its operand: b = 0 overwrites garbage in y, and a = 0 lets a
  // placeholder be bound as x when y is only rescaled.
  var acc = 0.0;
  if (prm.a != 0.0) { acc = prm.a * x[e]; }
  if (prm.b != 0.0) { acc = acc + prm.b * y[e]; }
  y[e] = acc;
}
