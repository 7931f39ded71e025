// deep_gemm.wgsl — general strided product C = A·B (+ bias), the three GEMMs of a dense layer:
//   forward   Y  = X·W + b   A = X (B×in, sai = in, sak = 1),   B = W (in×out, sbk = out, sbj = 1)
//   backward  dX = dY·Wᵀ     A = dY (B×out),                     B(k, j) = W[j, k] (sbk = 1, sbj = out)
//   backward  dW = Xᵀ·dY     A(i, k) = X[k, i] (sai = 1, sak = in), B = dY (B×out)
// Shapes (f32, element offsets and strides in the params, so operands may sit anywhere in θ):
//   A(i, k) = A[oa + i·sai + k·sak], i < M, k < K;   B(k, j) = Bm[ob + k·sbk + j·sbj], j < N
//   C       = out[oc + i·N + j] (row-major M×N);      bias[obias + j] added when has_bias == 1
// Bindings (group 0): 0 params (uniform), 1 A (read), 2 Bm (read), 3 bias (read; any buffer when
//   has_bias == 0), 4 out (read_write).
// Workgroup layout: 64 threads as 8×8; each thread holds a 4×4 register block (four vec4
//   accumulators), so a workgroup computes a 32×32 tile of C. Per 16-step slab of the inner
//   dimension the 64 threads stage a 32×16 tile of A and a 16×32 tile of B in workgroup memory
//   (zero-filled past the edges, which also handles any stride pattern), then each thread does 16
//   rank-1 updates of its block from there. Tiles are numbered column-tile fastest and folded into
//   a 2-D grid: tile = wid.x + wid.y·grid_x.
struct Params {
  M: u32, N: u32, K: u32, oa: u32,
  sai: u32, sak: u32, ob: u32, sbk: u32,
  sbj: u32, oc: u32, obias: u32, has_bias: u32,
  grid_x: u32, tiles_n: u32, num_tiles: u32, _p: u32,
}
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> Bm: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

const TS: u32 = 32u;
const TK: u32 = 16u;
// As[k·TS + i] = A(tile row i, slab k); Bs[k·TS + j] = B(slab k, tile column j).
var<workgroup> As: array<f32, 512>;
var<workgroup> Bs: array<f32, 512>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  // The tile index depends only on the workgroup id and uniforms: the early return is uniform.
  let tile = wid.x + wid.y * prm.grid_x;
  if (tile >= prm.num_tiles) { return; }
  let M = prm.M;
  let N = prm.N;
  let K = prm.K;
  let oa = prm.oa; let sai = prm.sai; let sak = prm.sak;
  let ob = prm.ob; let sbk = prm.sbk; let sbj = prm.sbj;
  let tm = tile / prm.tiles_n;
  let tn = tile % prm.tiles_n;
  let tx = li % 8u;
  let ty = li / 8u;
  let i0 = tm * TS;
  let j0 = tn * TS;
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var e = 0u; e < 8u; e++) {
      let idx = li + 64u * e;
      let kk = idx / TS;
      let r = idx % TS;
      let gk = k0 + kk;
      let gi = i0 + r;
      var a = 0.0;
      if (gi < M && gk < K) { a = A[oa + gi * sai + gk * sak]; }
      As[idx] = a;
      let gj = j0 + r;
      var b = 0.0;
      if (gj < N && gk < K) { b = Bm[ob + gk * sbk + gj * sbj]; }
      Bs[idx] = b;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let ab = kk * TS + ty * 4u;
      let bb = kk * TS + tx * 4u;
      let bv = vec4<f32>(Bs[bb], Bs[bb + 1u], Bs[bb + 2u], Bs[bb + 3u]);
      c0 += As[ab] * bv;
      c1 += As[ab + 1u] * bv;
      c2 += As[ab + 2u] * bv;
      c3 += As[ab + 3u] * bv;
    }
    workgroupBarrier();
  }
  let row = i0 + ty * 4u;
  let col = j0 + tx * 4u;
  var bv = vec4<f32>(0.0);
  if (prm.has_bias == 1u) {
    for (var j = 0u; j < 4u; j++) {
      if (col + j < N) { bv[j] = bias[prm.obias + col + j]; }
    }
  }
  var acc = array<vec4<f32>, 4>(c0 + bv, c1 + bv, c2 + bv, c3 + bv);
  for (var r = 0u; r < 4u; r++) {
    if (row + r < M) {
      for (var j = 0u; j < 4u; j++) {
        if (col + j < N) { out[prm.oc + (row + r) * N + col + j] = acc[r][j]; }
      }
    }
  }
}
