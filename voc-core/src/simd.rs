//! Run-time choice of the widest vector instructions the CPU has, for kernels written as plain loops.

/// Defines `fn $name(args) [-> R]` that runs `$imp(args)` compiled for AVX-512F or AVX2 when the CPU
/// has it, else the baseline build. `$imp` must be `#[inline(always)]` so that its body (and every
/// `#[inline(always)]` helper it calls) is compiled with the wider instructions. The builds run the
/// same IEEE operations in the same order as long as the kernel asks for no fused multiply-add, so
/// they give the same bits.
macro_rules! simd_dispatch {
    ($(#[$m:meta])* $vis:vis fn $name:ident($($a:ident : $t:ty),* $(,)?) $(-> $r:ty)? => $imp:path) => {
        $(#[$m])*
        #[allow(unsafe_code)] // one call to the AVX-512F or AVX2 build, after checking the CPU has it
        $vis fn $name($($a: $t),*) $(-> $r)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                fn wide($($a: $t),*) $(-> $r)? {
                    $imp($($a),*)
                }
                #[target_feature(enable = "avx2")]
                fn avx2($($a: $t),*) $(-> $r)? {
                    $imp($($a),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: `wide` only requires AVX-512F, which the CPU has (checked just above).
                    return unsafe { wide($($a),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: `avx2` only requires AVX2, which the CPU has (checked just above).
                    return unsafe { avx2($($a),*) };
                }
            }
            $imp($($a),*)
        }
    };
}
pub(crate) use simd_dispatch;
