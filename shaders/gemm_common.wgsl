// gemm_common.wgsl — declarations shared by the two register-blocked products, xu.wgsl (X·U) and
// xtr.wgsl (Xᵀ·L(R)): compiled after the prelude and before the shader, for those two programs only
// (Program.includes in solver/gpu/gemm.ts). Both bind X and D at the same slots and share the
// workgroup shape and alignment variants; the rest of each product's header is in its own file.
// Bindings (group 0): 0 X array<vec4<f32>> read (n×d, row-major, padded to 16 B)
//                     2 D array<vec4<f32>> read (n×P of 0/1, padded to 16 B)
// Variants (pipeline-overridable constants, set by gemm.ts):
//   WG_SIZE  threads per workgroup;  WG_COLS  column groups of 8 per workgroup
//   X_VEC    d % 4 == 0: rows of X are vec4-aligned (else X is read as scalars through xs)
//   D_VEC    P % 4 == 0: the patterns of a 4-column group are one aligned vec4 of D (and, for xtr's
//            fT load, share class and sign); else D is read as scalars through ds

override WG_SIZE: u32 = 64u;
override WG_COLS: u32 = 8u;
override X_VEC: bool = true;
override D_VEC: bool = true;

@group(0) @binding(0) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> D: array<vec4<f32>>;

// Scalar element i of X (or D) through its vec4 view.
fn xs(i: u32) -> f32 {
  return X[i >> 2u][i & 3u];
}

fn ds(i: u32) -> f32 {
  return D[i >> 2u][i & 3u];
}
