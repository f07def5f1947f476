/* cochlea_lanes_all: includes cochlea_lanes.h once per width: LANES_W 4 with AVX2 (suffix avx2, only where
 * COCHLEA_DISPATCH is set) and LANES_W 2 for baseline x86-64 (suffix base). The includer first defines
 * which stages it wants (LANES_HAIRCELL, LANES_BUSHY, LANES_GAMMATONE). No include guard. */
#if COCHLEA_DISPATCH
#define LANES_W 4
#define LANES_FN(f) f##avx2
#define LANES_ATTR __attribute__((target("avx2")))
#include "cochlea_lanes.h"
#undef LANES_W
#undef LANES_FN
#undef LANES_ATTR
#endif
#define LANES_W 2
#define LANES_FN(f) f##base
#define LANES_ATTR
#include "cochlea_lanes.h"
#undef LANES_W
#undef LANES_FN
#undef LANES_ATTR
